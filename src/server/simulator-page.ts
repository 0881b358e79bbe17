/**
 * The simulator page served at `GET /` when WhatsApp is not connected: a WhatsApp-like chat that
 * talks to `POST /simulator/messages`, so anyone can try cita in a browser without an account.
 * Beside the chat, a panel shows the machine's state and context for the current phone
 * (`GET /simulator/conversations/:phone`, refreshed after every turn) and the customers played
 * so far; each phone keeps its own chat.
 *
 * One self-contained HTML document, no build step, no external assets. Bot text is only ever put
 * into the page with `textContent`, never as HTML, so a reply cannot inject markup.
 * (The script avoids backticks and `${`, as it lives in a template literal.)
 */
export const SIMULATOR_PAGE_HTML = /* html */ `<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cita · simulator</title>
<style>
  :root { --bg: #efeae2; --me: #d9fdd3; --bot: #fff; --accent: #008069; --ink: #111b21; --muted: #667781; --line: #e9edef; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.4 system-ui, sans-serif; color: var(--ink); background: #d1d7db; }
  .app { max-width: 900px; height: 100vh; margin: 0 auto; display: grid; grid-template-columns: minmax(0, 1fr) 300px; box-shadow: 0 0 12px #0002; }
  main { display: flex; flex-direction: column; min-height: 0; background: var(--bg); }
  header { display: flex; gap: .5rem; align-items: center; padding: .6rem .8rem; background: var(--accent); color: #fff; }
  header h1 { font-size: 1rem; margin: 0; flex: 1; }
  header input { width: 10.5rem; padding: .3rem .4rem; border: 2px solid transparent; border-radius: 4px; font: inherit; }
  header input[aria-invalid="true"] { border-color: #f15c6d; outline-color: #f15c6d; }
  #chats { flex: 1; min-height: 0; display: flex; flex-direction: column; }
  .chat { flex: 1; min-height: 0; overflow-y: auto; padding: .8rem; display: flex; flex-direction: column; gap: .4rem; }
  .chat:empty::before { content: 'No messages with this customer yet: say hola.'; align-self: center; margin-top: 1rem; padding: .3rem .7rem; border-radius: 8px; background: #fff9; color: var(--muted); font-size: .85rem; }
  .bubble { max-width: 85%; padding: .45rem .6rem; border-radius: 8px; white-space: pre-wrap; box-shadow: 0 1px .5px #0002; }
  .me { align-self: flex-end; background: var(--me); }
  .bot { align-self: flex-start; background: var(--bot); }
  .error { align-self: center; background: #fde2e1; color: #8a1c13; }
  .options { display: flex; flex-direction: column; gap: .25rem; margin-top: .4rem; }
  .options button { padding: .4rem; border: 0; border-top: 1px solid var(--line); background: none; color: var(--accent); cursor: pointer; font: inherit; text-align: left; }
  .options button:hover { background: #f5f6f6; }
  .options small { display: block; color: var(--muted); }
  details summary { margin-top: .4rem; color: var(--accent); cursor: pointer; text-align: center; }
  form { display: flex; gap: .4rem; padding: .6rem; background: #f0f2f5; }
  form input { flex: 1; padding: .55rem .7rem; border: 0; border-radius: 8px; font: inherit; }
  form button { padding: 0 1rem; border: 0; border-radius: 8px; background: var(--accent); color: #fff; font: inherit; cursor: pointer; }
  aside { overflow-y: auto; padding: .8rem; background: #fff; border-left: 1px solid #d1d7db; font-size: .85rem; }
  aside h2 { margin: .9rem 0 .4rem; font-size: .75rem; letter-spacing: .05em; text-transform: uppercase; color: var(--muted); }
  aside h2:first-child { margin-top: 0; }
  #state { display: inline-block; padding: .25rem .6rem; border-radius: 999px; background: #e7fce3; color: #005c4b; font: 600 .9rem ui-monospace, monospace; }
  #state.none { background: #f0f2f5; color: var(--muted); }
  #status { margin: .35rem 0 0; color: var(--muted); }
  dl { display: grid; grid-template-columns: auto 1fr; gap: .3rem .7rem; margin: 0; }
  dt { color: var(--muted); }
  dd { margin: 0; overflow-wrap: anywhere; }
  aside details summary { margin-top: .8rem; text-align: left; font-size: .8rem; }
  aside pre { margin: .4rem 0 0; padding: .5rem; max-height: 16rem; overflow: auto; border-radius: 6px; background: #f0f2f5; font-size: .75rem; }
  #customers { display: flex; flex-wrap: wrap; gap: .3rem; }
  #customers button { padding: .25rem .55rem; border: 1px solid var(--line); border-radius: 999px; background: #fff; color: var(--ink); cursor: pointer; font: .8rem ui-monospace, monospace; }
  #customers button[aria-current="true"] { border-color: var(--accent); background: var(--accent); color: #fff; }
  @media (max-width: 760px) {
    .app { grid-template-columns: 1fr; grid-template-rows: minmax(0, 1fr) auto; }
    aside { max-height: 40vh; border-left: 0; border-top: 1px solid #d1d7db; }
  }
</style>
</head>
<body>
<div class="app">
<main>
  <header>
    <h1>cita · simulator</h1>
    <label>phone <input id="phone" inputmode="numeric" value="34600000001" aria-label="phone number" title="the customer's number: 6 to 15 digits, no +"></label>
  </header>
  <section id="chats" aria-live="polite"></section>
  <form id="composer">
    <input id="text" autocomplete="off" placeholder="Escribe un mensaje" aria-label="message">
    <button type="submit">Enviar</button>
  </form>
</main>
<aside aria-label="machine">
  <h2>Machine state</h2>
  <span id="state" class="none" aria-label="machine state">no conversation</span>
  <p id="status" aria-live="polite"></p>
  <h2>Context</h2>
  <dl id="context" aria-label="machine context"></dl>
  <details>
    <summary>as JSON</summary>
    <pre id="raw"></pre>
  </details>
  <h2>Customers</h2>
  <div id="customers" role="group" aria-label="customers"></div>
</aside>
</div>
<script>
  const chats = document.getElementById('chats');
  const phoneInput = document.getElementById('phone');
  const textInput = document.getElementById('text');
  const stateBadge = document.getElementById('state');
  const statusLine = document.getElementById('status');
  const contextList = document.getElementById('context');
  const raw = document.getElementById('raw');
  const customers = document.getElementById('customers');
  const PHONE = /^[0-9]{6,15}$/;

  /** Each phone is its own customer with its own chat; only the current one is in the page. */
  const chatOf = new Map();
  let currentPhone = '';

  function chatFor(phone) {
    let chat = chatOf.get(phone);
    if (!chat) {
      chat = document.createElement('div');
      chat.className = 'chat';
      chat.dataset.phone = phone;
      chatOf.set(phone, chat);
    }
    return chat;
  }

  function bubble(chat, kind, text) {
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

  function render(chat, reply) {
    const element = bubble(chat, 'bot', reply.body);
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
    chat.scrollTop = chat.scrollHeight;
  }

  /** Sends as the current phone; the replies go to that phone's chat even if you switched meanwhile. */
  async function send(content, shown) {
    const phone = currentPhone;
    const chat = chatFor(phone);
    bubble(chat, 'me', shown);
    try {
      const response = await fetch('/simulator/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phone, ...content }),
      });
      const answer = await response.json();
      if (!response.ok) bubble(chat, 'error', answer.error || 'HTTP ' + response.status);
      else for (const reply of answer.replies) render(chat, reply);
    } catch (error) {
      bubble(chat, 'error', 'cita is not reachable: ' + error);
    }
    remember(phone);
    if (phone === currentPhone) await refreshPanel(phone);
  }

  // ---- the machine panel ----

  function formatInstant(iso, timezone, withDate) {
    const options = { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    if (withDate) Object.assign(options, { weekday: 'short', day: 'numeric', month: 'short' });
    try {
      return new Intl.DateTimeFormat('en-GB', options).format(new Date(iso));
    } catch {
      return iso;
    }
  }

  function describeBooking(booking, timezone) {
    return booking.serviceId + (booking.barberId ? ' with ' + booking.barberId : '') + ', ' + formatInstant(booking.start, timezone, true) + (booking.moved ? ' (moved)' : '') + ' · ' + shortId(booking.id);
  }

  function shortId(id) {
    return id.length > 10 ? id.slice(0, 8) + '…' : id;
  }

  function describeNote(note) {
    const details = Object.entries(note)
      .filter(([key]) => key !== 'kind')
      .map(([key, value]) => key + ': ' + (typeof value === 'object' ? JSON.stringify(value) : value));
    return note.kind + (details.length ? ' (' + details.join(', ') + ')' : '');
  }

  function showPanel(view) {
    const context = view.context;
    const zone = view.timezone;
    stateBadge.textContent = view.state;
    stateBadge.className = '';
    statusLine.textContent = view.status && view.status !== 'active' ? 'actor ' + view.status : '';
    const rows = [
      ['language', context.language],
      ['service', context.service && (context.service.name ? context.service.name + ' (' + context.service.id + ')' : context.service.id)],
      ['barber', context.barber],
      ['date', context.date],
      ['wanted time', context.wantedTime],
      ['offered times', context.offeredSlots ? context.offeredSlots + (context.slotPage ? ', page ' + (context.slotPage + 1) : '') : undefined],
      ['chosen slot', context.chosenSlot && context.chosenSlot.date + ' ' + context.chosenSlot.time],
      ['hold', context.hold && 'until ' + formatInstant(context.hold.expiresAt, zone, false) + (context.hold.barberId ? ' · ' + context.hold.barberId : '') + ' · ' + context.hold.token],
      ['booking', context.booking && describeBooking(context.booking, zone)],
      ['upcoming bookings', String(context.upcomingBookings)],
      ['intent', context.intent],
      ['selected booking', context.selectedBookingId && shortId(context.selectedBookingId)],
      ['moving', context.moving && describeBooking(context.moving, zone)],
      ['notes', context.notes.length ? context.notes.map(describeNote).join('; ') : '—'],
    ];
    const items = [];
    for (const [label, value] of rows) {
      if (value === undefined || value === '') continue;
      const dt = document.createElement('dt');
      dt.textContent = label;
      if (label === 'upcoming bookings') dt.title = 'as the machine last looked them up';
      const dd = document.createElement('dd');
      dd.textContent = value;
      dd.dataset.field = label;
      items.push(dt, dd);
    }
    contextList.replaceChildren(...items);
    raw.textContent = JSON.stringify(context, null, 2);
  }

  function showNoConversation(reason) {
    stateBadge.textContent = 'no conversation';
    stateBadge.className = 'none';
    statusLine.textContent = reason;
    contextList.replaceChildren();
    raw.textContent = '';
  }

  async function refreshPanel(phone) {
    try {
      const response = await fetch('/simulator/conversations/' + encodeURIComponent(phone));
      const answer = await response.json();
      if (phone !== currentPhone) return;
      if (response.status === 404) showNoConversation('This customer has not written yet.');
      else if (!response.ok) showNoConversation(answer.error || 'HTTP ' + response.status);
      else showPanel(answer);
    } catch (error) {
      if (phone === currentPhone) showNoConversation('cita is not reachable: ' + error);
    }
  }

  // ---- switching customers ----

  const played = [];

  function remember(phone) {
    if (!played.includes(phone)) played.push(phone);
    showCustomers();
  }

  function showCustomers() {
    customers.replaceChildren(
      ...played.map((phone) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = phone;
        button.dataset.phone = phone;
        button.setAttribute('aria-current', String(phone === currentPhone));
        button.addEventListener('click', () => switchTo(phone));
        return button;
      }),
      newCustomerButton(),
    );
  }

  function newCustomerButton() {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = '+ new';
    button.title = 'play another customer';
    button.addEventListener('click', () => {
      let next = BigInt(played.length ? played[played.length - 1] : currentPhone);
      do next += 1n;
      while (played.includes(String(next)));
      switchTo(String(next));
    });
    return button;
  }

  function switchTo(phone) {
    phoneInput.value = phone;
    phoneInput.setAttribute('aria-invalid', 'false');
    if (phone === currentPhone) return;
    currentPhone = phone;
    const chat = chatFor(phone);
    chats.replaceChildren(chat);
    chat.scrollTop = chat.scrollHeight;
    remember(phone);
    showNoConversation('');
    refreshPanel(phone);
    textInput.focus();
  }

  phoneInput.addEventListener('change', () => {
    const phone = phoneInput.value.trim();
    if (!PHONE.test(phone)) {
      phoneInput.setAttribute('aria-invalid', 'true');
      statusLine.textContent = 'A phone number is 6 to 15 digits, no +; still playing ' + currentPhone + '.';
      return;
    }
    switchTo(phone);
  });

  document.getElementById('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = textInput.value;
    if (!text.trim()) return;
    textInput.value = '';
    send({ text }, text);
  });

  switchTo(phoneInput.value.trim());
</script>
</body>
</html>
`;
