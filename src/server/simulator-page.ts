/**
 * The simulator page served at `GET /` when WhatsApp is not connected: a WhatsApp-like chat that
 * talks to `POST /simulator/messages`, so anyone can try cita in a browser without an account.
 *
 * One self-contained HTML document, no build step. Bot text is only ever put into the page with
 * `textContent`, never as HTML, so a reply cannot inject markup.
 */
export const SIMULATOR_PAGE_HTML = /* html */ `<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cita · simulator</title>
<style>
  :root { --bg: #efeae2; --me: #d9fdd3; --bot: #fff; --accent: #008069; --ink: #111b21; --muted: #667781; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.4 system-ui, sans-serif; color: var(--ink); background: #d1d7db; }
  main { max-width: 520px; height: 100vh; margin: 0 auto; display: flex; flex-direction: column; background: var(--bg); }
  header { display: flex; gap: .5rem; align-items: center; padding: .6rem .8rem; background: var(--accent); color: #fff; }
  header h1 { font-size: 1rem; margin: 0; flex: 1; }
  header input { width: 10.5rem; padding: .3rem .4rem; border: 0; border-radius: 4px; }
  #chat { flex: 1; overflow-y: auto; padding: .8rem; display: flex; flex-direction: column; gap: .4rem; }
  .bubble { max-width: 85%; padding: .45rem .6rem; border-radius: 8px; white-space: pre-wrap; box-shadow: 0 1px .5px #0002; }
  .me { align-self: flex-end; background: var(--me); }
  .bot { align-self: flex-start; background: var(--bot); }
  .error { align-self: center; background: #fde2e1; color: #8a1c13; }
  .options { display: flex; flex-direction: column; gap: .25rem; margin-top: .4rem; }
  .options button { padding: .4rem; border: 0; border-top: 1px solid #e9edef; background: none; color: var(--accent); cursor: pointer; font: inherit; text-align: left; }
  .options button:hover { background: #f5f6f6; }
  .options small { display: block; color: var(--muted); }
  details summary { margin-top: .4rem; color: var(--accent); cursor: pointer; text-align: center; }
  form { display: flex; gap: .4rem; padding: .6rem; background: #f0f2f5; }
  form input { flex: 1; padding: .55rem .7rem; border: 0; border-radius: 8px; font: inherit; }
  form button { padding: 0 1rem; border: 0; border-radius: 8px; background: var(--accent); color: #fff; font: inherit; cursor: pointer; }
</style>
</head>
<body>
<main>
  <header>
    <h1>cita · simulator</h1>
    <label>phone <input id="phone" inputmode="numeric" value="34600000001" aria-label="phone number"></label>
  </header>
  <section id="chat" aria-live="polite"></section>
  <form id="composer">
    <input id="text" autocomplete="off" placeholder="Escribe un mensaje" aria-label="message">
    <button type="submit">Enviar</button>
  </form>
</main>
<script>
  const chat = document.getElementById('chat');
  const phoneInput = document.getElementById('phone');
  const textInput = document.getElementById('text');
  /** Each phone is its own customer: its chat is kept while you play another one. */
  const histories = new Map();

  function bubble(kind, text) {
    const element = document.createElement('div');
    element.className = 'bubble ' + kind;
    element.textContent = text;
    chat.append(element);
    chat.scrollTop = chat.scrollHeight;
    return element;
  }

  function optionButton(option) {
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.replyId = option.id;
    button.textContent = option.title;
    if (option.description) {
      const small = document.createElement('small');
      small.textContent = option.description;
      button.append(small);
    }
    button.addEventListener('click', () => send({ replyId: option.id }, option.title));
    return button;
  }

  function render(reply) {
    const element = bubble('bot', reply.body);
    if (reply.kind === 'buttons') {
      const options = document.createElement('div');
      options.className = 'options';
      for (const option of reply.buttons) options.append(optionButton(option));
      element.append(options);
    } else if (reply.kind === 'list') {
      const details = document.createElement('details');
      details.open = true;
      const summary = document.createElement('summary');
      summary.textContent = reply.button;
      details.append(summary);
      for (const section of reply.sections) {
        const options = document.createElement('div');
        options.className = 'options';
        if (section.title) options.append(Object.assign(document.createElement('strong'), { textContent: section.title }));
        for (const row of section.rows) options.append(optionButton(row));
        details.append(options);
      }
      element.append(details);
    }
  }

  async function send(content, shown) {
    const phone = phoneInput.value.trim();
    bubble('me', shown);
    try {
      const response = await fetch('/simulator/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phone, ...content }),
      });
      const answer = await response.json();
      if (!response.ok) return bubble('error', answer.error || 'HTTP ' + response.status);
      for (const reply of answer.replies) render(reply);
    } catch (error) {
      bubble('error', 'cita is not reachable: ' + error);
    }
  }

  document.getElementById('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = textInput.value;
    if (!text.trim()) return;
    textInput.value = '';
    send({ text }, text);
  });

  let currentPhone = phoneInput.value;
  phoneInput.addEventListener('change', () => {
    histories.set(currentPhone, [...chat.childNodes]);
    currentPhone = phoneInput.value.trim();
    chat.replaceChildren(...(histories.get(currentPhone) || []));
  });
</script>
</body>
</html>
`;
