import type { ShopConfig } from '../../config/schema.ts';

/**
 * The simulator page served at `GET /` when WhatsApp is not connected: a WhatsApp-like chat that
 * talks to `POST /simulator/messages`, so anyone can try cita in a browser without an account.
 * Beside the chat, a panel shows the machine's state and context for the current phone
 * (`GET /simulator/conversations/:phone`, refreshed after every turn) and the customers played
 * so far; each phone keeps its own chat. The chat is the phone's transcript
 * (`GET /simulator/conversations/:phone/messages`): the conversation so far when a phone is
 * opened, whichever channel it came through (WhatsApp, the terminal chat, the simulator API), and
 * what arrives later, looked for every POLL_MS. The header carries the shop's name; the page's own words
 * and the panel's dates follow the language of the conversation on screen (the shop's default
 * before it has one). On a phone-sized screen the panel folds away behind a header button.
 *
 * One self-contained HTML document, no build step, no external assets. Bot text is only ever put
 * into the page with `textContent`, never as HTML, so a reply cannot inject markup.
 * (The script avoids backticks and `${`, as it lives in a template literal.)
 *
 * @example
 * app.get('/', (c) => c.html(simulatorPage(shop)));
 */
export function simulatorPage(
  shop: Pick<ShopConfig, 'name' | 'languages'>,
  { shops = [], current }: { shops?: { id: string; name: string }[]; current?: string } = {},
): string {
  const settings = { shopName: shop.name, language: shop.languages.default, words: PAGE_WORDS, shop: current };
  // With several shops, a picker: each shop's page is its own address (/?shop=<id>), chats and all.
  const picker =
    shops.length > 1
      ? `<select id="shop" aria-label="shop" onchange="location.search = '?shop=' + encodeURIComponent(this.value)">${shops
          .map(
            ({ id, name }) =>
              `<option value="${escapeHtml(id)}"${id === current ? ' selected' : ''}>${escapeHtml(name)}</option>`,
          )
          .join('')}</select>`
      : '';
  // Replaced by functions: a "$&" in a shop's name is text, not a replacement pattern.
  return PAGE_HTML.replaceAll('__TITLE__', () => escapeHtml(shop.name))
    .replace('__LANG__', () => shop.languages.default)
    .replace('__PICKER__', () => picker)
    .replace('__SETTINGS__', () => scriptJson(settings));
}

/** The page's own words, per language the bot speaks. */
const PAGE_WORDS = {
  es: {
    simulator: 'simulador de cita',
    phone: 'teléfono',
    phoneHint: 'el número del cliente: de 6 a 15 cifras, sin +',
    message: 'mensaje',
    placeholder: 'Escribe un mensaje',
    send: 'Enviar',
    emptyChat: 'Aún no hay mensajes con este cliente: escribe «hola».',
    voiceNote: 'nota de voz',
    panel: 'Estado',
    panelHint: 'mostrar u ocultar el estado de la máquina',
    machine: 'máquina',
    machineState: 'Estado de la máquina',
    context: 'Contexto',
    asJson: 'como JSON',
    customers: 'Clientes',
    newCustomer: '+ nuevo',
    newCustomerHint: 'hacer de otro cliente',
    noConversation: 'sin conversación',
    notWrittenYet: 'Este cliente aún no ha escrito.',
    notReachable: 'cita no responde: ',
    badPhone: 'Un teléfono tiene de 6 a 15 cifras, sin +; sigues siendo el ',
    actor: 'actor ',
    until: 'hasta ',
    moved: ' (cambiada)',
    page: 'página ',
    lookedUp: 'en el calendario, de ahora en adelante',
    fields: {
      language: 'idioma',
      service: 'servicio',
      barber: 'barbero',
      date: 'día',
      wantedTime: 'hora pedida',
      offeredTimes: 'horas ofrecidas',
      chosenSlot: 'hora elegida',
      hold: 'reserva temporal',
      booking: 'cita',
      upcomingBookings: 'próximas citas',
      intent: 'intención',
      selectedBooking: 'cita elegida',
      moving: 'cambiando',
      notes: 'notas',
    },
  },
  en: {
    simulator: 'cita simulator',
    phone: 'phone',
    phoneHint: "the customer's number: 6 to 15 digits, no +",
    message: 'message',
    placeholder: 'Type a message',
    send: 'Send',
    emptyChat: 'No messages with this customer yet: say hello.',
    voiceNote: 'voice note',
    panel: 'State',
    panelHint: "show or hide the machine's state",
    machine: 'machine',
    machineState: 'Machine state',
    context: 'Context',
    asJson: 'as JSON',
    customers: 'Customers',
    newCustomer: '+ new',
    newCustomerHint: 'play another customer',
    noConversation: 'no conversation',
    notWrittenYet: 'This customer has not written yet.',
    notReachable: 'cita is not reachable: ',
    badPhone: 'A phone number is 6 to 15 digits, no +; still playing ',
    actor: 'actor ',
    until: 'until ',
    moved: ' (moved)',
    page: 'page ',
    lookedUp: 'in the calendar, from now on',
    fields: {
      language: 'language',
      service: 'service',
      barber: 'barber',
      date: 'date',
      wantedTime: 'wanted time',
      offeredTimes: 'offered times',
      chosenSlot: 'chosen slot',
      hold: 'hold',
      booking: 'booking',
      upcomingBookings: 'upcoming bookings',
      intent: 'intent',
      selectedBooking: 'selected booking',
      moving: 'moving',
      notes: 'notes',
    },
  },
} as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a <script> element: no "</script>" or "<!--" can close or confuse it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

const PAGE_HTML = /* html */ `<!doctype html>
<html lang="__LANG__">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__ · cita</title>
<style>
  :root { --bg: #efeae2; --me: #d9fdd3; --bot: #fff; --accent: #008069; --ink: #111b21; --muted: #667781; --line: #e9edef; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.4 system-ui, sans-serif; color: var(--ink); background: #d1d7db; }
  .app { max-width: 900px; height: 100vh; height: 100dvh; margin: 0 auto; display: grid; grid-template-columns: minmax(0, 1fr) 300px; box-shadow: 0 0 12px #0002; }
  main { display: flex; flex-direction: column; min-width: 0; min-height: 0; background: var(--bg); }
  header { display: flex; gap: .5rem; align-items: center; padding: .5rem .8rem; background: var(--accent); color: #fff; }
  header hgroup { flex: 1; min-width: 0; }
  header h1 { font-size: 1rem; margin: 0; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
  header hgroup p { margin: 0; font-size: .75rem; opacity: .85; }
  header label { display: flex; gap: .3rem; align-items: center; white-space: nowrap; }
  header input { width: 10.5rem; padding: .3rem .4rem; border: 2px solid transparent; border-radius: 4px; font: inherit; }
  header input[aria-invalid="true"] { border-color: #f15c6d; outline-color: #f15c6d; }
  #panel-toggle { display: none; padding: .3rem .55rem; border: 1px solid #fff8; border-radius: 999px; background: none; color: #fff; font: inherit; font-size: .85rem; cursor: pointer; }
  #panel-toggle[aria-expanded="true"] { background: #fff; color: var(--accent); }
  #chats { flex: 1; min-height: 0; display: flex; flex-direction: column; }
  .chat { flex: 1; min-height: 0; overflow-y: auto; padding: .8rem; display: flex; flex-direction: column; gap: .4rem; }
  .chat:empty::before { content: attr(data-empty); align-self: center; margin-top: 1rem; padding: .3rem .7rem; border-radius: 8px; background: #fff9; color: var(--muted); font-size: .85rem; text-align: center; }
  .bubble { max-width: 85%; padding: .45rem .6rem; border-radius: 8px; white-space: pre-wrap; overflow-wrap: anywhere; box-shadow: 0 1px .5px #0002; }
  .me { align-self: flex-end; background: var(--me); }
  .bot { align-self: flex-start; background: var(--bot); }
  .error { align-self: center; background: #fde2e1; color: #8a1c13; }
  .options { display: flex; flex-direction: column; gap: .25rem; margin-top: .4rem; }
  .options button { padding: .4rem; border: 0; border-top: 1px solid var(--line); background: none; color: var(--accent); cursor: pointer; font: inherit; text-align: left; }
  .options button:hover { background: #f5f6f6; }
  .options small { display: block; color: var(--muted); }
  details summary { margin-top: .4rem; color: var(--accent); cursor: pointer; text-align: center; }
  form { display: flex; gap: .4rem; padding: .6rem; background: #f0f2f5; }
  form input { flex: 1; min-width: 0; padding: .55rem .7rem; border: 0; border-radius: 8px; font: inherit; }
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
  /* A phone-sized screen is the chat's: the panel folds away behind the header's button and, opened, lies over the chat. */
  @media (max-width: 760px) {
    .app { grid-template-columns: minmax(0, 1fr); position: relative; }
    #panel-toggle { display: block; }
    aside { display: none; position: absolute; left: 0; right: 0; top: var(--header-height, 3.5rem); max-height: calc(100% - var(--header-height, 3.5rem)); border-left: 0; border-bottom: 1px solid #d1d7db; box-shadow: 0 6px 12px #0003; z-index: 1; }
    .app.panel-open aside { display: block; }
    header { gap: .4rem; padding: .5rem .6rem; }
    header h1 { font-size: .95rem; }
    #panel-toggle { padding: .25rem .45rem; font-size: .8rem; }
    header label span { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
    /* Wide enough for a 12-digit number and no wider: the rest of the header is the shop's name. */
    header input { width: calc(12ch + 1.2rem); font-size: .9rem; }
  }
</style>
</head>
<body>
<div class="app">
<main>
  <header>
    <hgroup><h1 id="shop-name">__TITLE__</h1><p id="simulator-name"></p></hgroup>__PICKER__
    <label><span id="phone-label"></span> <input id="phone" inputmode="numeric" value="34600000001"></label>
    <button type="button" id="panel-toggle" aria-controls="panel" aria-expanded="false"></button>
  </header>
  <section id="chats" aria-live="polite"></section>
  <form id="composer">
    <input id="text" autocomplete="off">
    <button type="submit" id="send"></button>
  </form>
</main>
<aside id="panel">
  <h2 id="state-heading"></h2>
  <span id="state" class="none"></span>
  <p id="status" aria-live="polite"></p>
  <h2 id="context-heading"></h2>
  <dl id="context"></dl>
  <details>
    <summary id="json-summary"></summary>
    <pre id="raw"></pre>
  </details>
  <h2 id="customers-heading"></h2>
  <div id="customers" role="group"></div>
</aside>
</div>
<script>
  const SETTINGS = __SETTINGS__;
  const app = document.querySelector('.app');
  const chats = document.getElementById('chats');
  const phoneInput = document.getElementById('phone');
  const textInput = document.getElementById('text');
  const stateBadge = document.getElementById('state');
  const statusLine = document.getElementById('status');
  const contextList = document.getElementById('context');
  const raw = document.getElementById('raw');
  const customers = document.getElementById('customers');
  const panelToggle = document.getElementById('panel-toggle');
  const PHONE = /^[0-9]{6,15}$/;
  const LOCALES = { es: 'es-ES', en: 'en-GB' };

  /** Each phone is its own customer with its own chat; only the current one is in the page. */
  const chatOf = new Map();
  let currentPhone = '';
  let language = '';
  let words = SETTINGS.words[SETTINGS.language];
  /** The last panel shown, so a change of language can show it again in the new words. */
  let shownView;

  const byId = (id) => document.getElementById(id);
  const label = (id, text) => byId(id).setAttribute('aria-label', text);

  /** Puts the page's own words in the conversation's language (the bot's words already are). */
  function speak(next) {
    if (!SETTINGS.words[next] || next === language) return;
    language = next;
    words = SETTINGS.words[next];
    document.documentElement.lang = next;
    byId('simulator-name').textContent = words.simulator;
    byId('phone-label').textContent = words.phone;
    label('phone', words.phone);
    phoneInput.title = words.phoneHint;
    label('text', words.message);
    textInput.placeholder = words.placeholder;
    byId('send').textContent = words.send;
    panelToggle.textContent = words.panel;
    panelToggle.title = words.panelHint;
    label('panel', words.machine);
    byId('state-heading').textContent = words.machineState;
    label('state', words.machineState);
    byId('context-heading').textContent = words.context;
    label('context', words.context);
    byId('json-summary').textContent = words.asJson;
    byId('customers-heading').textContent = words.customers;
    label('customers', words.customers);
    for (const chat of chatOf.values()) chat.dataset.empty = words.emptyChat;
    showCustomers();
    if (shownView) showPanel(shownView);
    else if (stateBadge.classList.contains('none')) showNoConversation(statusLine.dataset.reason);
  }

  function chatFor(phone) {
    let chat = chatOf.get(phone);
    if (!chat) {
      chat = document.createElement('div');
      chat.className = 'chat';
      chat.dataset.phone = phone;
      chat.dataset.empty = words.emptyChat;
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
    button.addEventListener('click', () => send({ replyId: option.id, title: option.title }, option.title));
    return button;
  }

  function render(chat, reply) {
    const element = bubble(chat, 'bot', reply.body);
    if (reply.kind === 'buttons' || reply.kind === 'template') {
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
    } else if (reply.kind === 'document') {
      // The file itself, as the customer's phone would get it: tap to save or open it.
      const link = document.createElement('a');
      link.download = reply.filename;
      link.href = URL.createObjectURL(new Blob([reply.content], { type: reply.mimeType }));
      link.textContent = reply.filename;
      element.append(document.createElement('br'), link);
    }
    chat.scrollTop = chat.scrollHeight;
  }

  // ---- the conversation, whichever channel it came through ----

  /** How often the page looks for messages it did not send itself (WhatsApp, the terminal chat, a reminder). */
  const POLL_MS = 1500;
  /** How many messages of this page are on their way, by phone: such a chat is brought up to date as each is answered. */
  const sending = new Map();

  function customerText(said) {
    if (said.kind === 'text') return said.text;
    if (said.kind === 'reply') return said.title || said.replyId;
    if (said.kind === 'voice') return '🎤 ' + words.voiceNote;
    if (said.kind === 'reaction') return said.emoji;
    return '📎 ' + said.type;
  }

  function entryIn(chat, id) {
    return chat.querySelector('[data-entry="' + CSS.escape(id) + '"]');
  }

  /** Adds a message of the transcript to the chat once; the page's own pending copy of it gives way. */
  function place(chat, message) {
    if (entryIn(chat, message.id)) return;
    if (message.from === 'customer') {
      const pending = chat.querySelector('[data-pending="' + CSS.escape(message.id) + '"]');
      const element = pending || bubble(chat, 'me', customerText(message.words));
      element.textContent = customerText(message.words);
      delete element.dataset.pending;
      element.dataset.entry = message.id;
    } else {
      render(chat, message.message);
      chat.lastElementChild.dataset.entry = message.id;
    }
  }

  /** Brings the phone's chat up to date from its transcript; true when something new came. */
  async function loadMessages(phone) {
    const chat = chatFor(phone);
    const query = new URLSearchParams({ after: chat.dataset.seq || '0' });
    if (SETTINGS.shop) query.set('shop', SETTINGS.shop);
    try {
      const response = await fetch('/simulator/conversations/' + encodeURIComponent(phone) + '/messages?' + query);
      if (!response.ok) return false;
      const answer = await response.json();
      for (const message of answer.messages) {
        place(chat, message);
        chat.dataset.seq = String(Math.max(message.seq, Number(chat.dataset.seq || '0')));
      }
      return answer.messages.length > 0;
    } catch {
      return false;
    }
  }

  async function poll() {
    const phone = currentPhone;
    if (phone && !document.hidden && !sending.has(phone) && (await loadMessages(phone)) && phone === currentPhone) {
      remember(phone);
      await refreshPanel(phone);
    }
    setTimeout(poll, POLL_MS);
  }

  /** Sends as the current phone; the replies go to that phone's chat even if you switched meanwhile. */
  async function send(content, shown) {
    const phone = currentPhone;
    const chat = chatFor(phone);
    const mine = bubble(chat, 'me', shown);
    sending.set(phone, (sending.get(phone) || 0) + 1);
    try {
      const response = await fetch('/simulator/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ phone, ...content, ...(SETTINGS.shop && { shop: SETTINGS.shop }) }),
      });
      const answer = await response.json();
      // The transcript has the message under this id: it takes the place of the copy shown meanwhile.
      if (answer.id && entryIn(chat, answer.id)) mine.remove();
      else if (answer.id) mine.dataset.pending = answer.id;
      if (!response.ok) bubble(chat, 'error', answer.error || 'HTTP ' + response.status);
      else {
        await loadMessages(phone);
        // A cita that keeps no transcript: the replies as the answer carries them.
        if (mine.parentNode && mine.dataset.pending) for (const reply of answer.replies) render(chat, reply);
      }
    } catch (error) {
      bubble(chat, 'error', words.notReachable + error);
    }
    if (sending.get(phone) > 1) sending.set(phone, sending.get(phone) - 1);
    else sending.delete(phone);
    remember(phone);
    if (phone === currentPhone) await refreshPanel(phone);
  }

  // ---- the machine panel ----

  function formatInstant(iso, timezone, withDate) {
    const options = { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    if (withDate) Object.assign(options, { weekday: 'short', day: 'numeric', month: 'short' });
    try {
      return new Intl.DateTimeFormat(LOCALES[language], options).format(new Date(iso));
    } catch {
      return iso;
    }
  }

  /** A calendar day ("2026-11-25") as the customer would say it: "mié, 25 nov" / "Wed 25 Nov". */
  function formatDay(date) {
    const options = { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' };
    try {
      return new Intl.DateTimeFormat(LOCALES[language], options).format(new Date(date + 'T12:00:00Z'));
    } catch {
      return date;
    }
  }

  function describeBooking(booking, timezone) {
    return booking.serviceId + (booking.barberId ? ' · ' + booking.barberId : '') + ', ' + formatInstant(booking.start, timezone, true) + (booking.moved ? words.moved : '') + ' · ' + shortId(booking.id);
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
    shownView = view;
    const context = view.context;
    const zone = view.timezone;
    stateBadge.textContent = view.state;
    stateBadge.className = '';
    statusLine.textContent = view.status && view.status !== 'active' ? words.actor + view.status : '';
    const rows = [
      ['language', context.language],
      ['service', context.service && (context.service.name ? context.service.name + ' (' + context.service.id + ')' : context.service.id)],
      ['barber', context.barber],
      ['date', context.date && formatDay(context.date)],
      ['wantedTime', context.wantedTime],
      ['offeredTimes', context.offeredSlots ? context.offeredSlots + (context.slotPage ? ', ' + words.page + (context.slotPage + 1) : '') : undefined],
      ['chosenSlot', context.chosenSlot && formatDay(context.chosenSlot.date) + ' ' + context.chosenSlot.time],
      ['hold', context.hold && words.until + formatInstant(context.hold.expiresAt, zone, false) + (context.hold.barberId ? ' · ' + context.hold.barberId : '') + ' · ' + context.hold.token],
      ['booking', context.booking && describeBooking(context.booking, zone)],
      ['upcomingBookings', String(context.upcomingBookings)],
      ['intent', context.intent],
      ['selectedBooking', context.selectedBookingId && shortId(context.selectedBookingId)],
      ['moving', context.moving && describeBooking(context.moving, zone)],
      ['notes', context.notes.length ? context.notes.map(describeNote).join('; ') : '—'],
    ];
    const items = [];
    for (const [field, value] of rows) {
      if (value === undefined || value === '') continue;
      const dt = document.createElement('dt');
      dt.textContent = words.fields[field];
      if (field === 'upcomingBookings') dt.title = words.lookedUp;
      const dd = document.createElement('dd');
      dd.textContent = value;
      dd.dataset.field = field;
      items.push(dt, dd);
    }
    contextList.replaceChildren(...items);
    raw.textContent = JSON.stringify(context, null, 2);
  }

  /** reason: a key of the words (so it follows a change of language), or a message as it came. */
  function showNoConversation(reason) {
    shownView = undefined;
    stateBadge.textContent = words.noConversation;
    stateBadge.className = 'none';
    statusLine.dataset.reason = reason || '';
    statusLine.textContent = (reason && words[reason]) || reason || '';
    contextList.replaceChildren();
    raw.textContent = '';
  }

  async function refreshPanel(phone) {
    try {
      const response = await fetch(
        '/simulator/conversations/' +
          encodeURIComponent(phone) +
          (SETTINGS.shop ? '?shop=' + encodeURIComponent(SETTINGS.shop) : ''),
      );
      const answer = await response.json();
      if (phone !== currentPhone) return;
      if (response.status === 404) {
        speak(SETTINGS.language);
        showNoConversation('notWrittenYet');
      } else if (!response.ok) showNoConversation(answer.error || 'HTTP ' + response.status);
      else {
        speak(answer.context.language || SETTINGS.language);
        showPanel(answer);
      }
    } catch (error) {
      if (phone === currentPhone) showNoConversation(words.notReachable + error);
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
    button.id = 'new-customer';
    button.textContent = words.newCustomer;
    button.title = words.newCustomerHint;
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
    // The conversation so far, whichever channel it came through, then the panel.
    loadMessages(phone).then(() => phone === currentPhone && refreshPanel(phone));
    textInput.focus();
  }

  phoneInput.addEventListener('change', () => {
    const phone = phoneInput.value.trim();
    if (!PHONE.test(phone)) {
      phoneInput.setAttribute('aria-invalid', 'true');
      statusLine.textContent = words.badPhone + currentPhone + '.';
      return;
    }
    switchTo(phone);
  });

  panelToggle.addEventListener('click', () => {
    // The panel opens under the header, whose height depends on the shop's name and the font.
    app.style.setProperty('--header-height', document.querySelector('header').getBoundingClientRect().height + 'px');
    const open = app.classList.toggle('panel-open');
    panelToggle.setAttribute('aria-expanded', String(open));
  });

  document.getElementById('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = textInput.value;
    if (!text.trim()) return;
    textInput.value = '';
    send({ text }, text);
  });

  speak(SETTINGS.language);
  switchTo(phoneInput.value.trim());
  setTimeout(poll, POLL_MS);
</script>
</body>
</html>
`;
