// authmock's host of a custom database script (facts: migration.md §3.2, §3.3).
//
// Reads one JSON line on stdin: {"function": "login" | "get_user", "script": <source>,
// "args": [...], "configuration": {...}}; runs the script's function with the arguments and a
// callback, and writes one line, "@@authmock-answer " + JSON, on stdout:
//   {"profile": {...} | null}                    callback(null, profile) / callback(null)
//   {"error": {"name", "message", "user"?}}      callback(err), a throw, a rejected promise
// The callback counts once: a second call is ignored (doc: "call the callback exactly once").
// The script sees what Auth0's runtime gives: `configuration`, `global`, the three error
// classes, `fetch`, a global `request` (the `request` module's callback API) and `require` for
// `crypto` and `request`. Outbound HTTP reaches loopback only. Node runs this with its
// permission model: no file access, no child processes, no workers.
'use strict';

const vm = require('vm');
const MARK = '@@authmock-answer ';
const write = process.stdout.write.bind(process.stdout);
const scriptConsole = new console.Console(process.stderr, process.stderr);

let answered = false;
function answer(value) {
  if (answered) return;
  answered = true;
  write(MARK + JSON.stringify(value) + '\n', () => process.exit(0));
}

function failure(err) {
  const object = err !== null && typeof err === 'object';
  const error = {
    name: object && typeof err.name === 'string' ? err.name : 'Error',
    message: object && 'message' in err ? String(err.message) : String(err),
  };
  if (object && 'user' in err) error.user = err.user == null ? null : String(err.user);
  return { error };
}

class WrongUsernameOrPasswordError extends Error {
  constructor(user, message) {
    super(message);
    this.name = 'WrongUsernameOrPasswordError';
    this.user = user;
  }
}

class ValidationError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'ValidationError';
    this.code = code;
  }
}

class UnauthorizedError extends Error {
  constructor(message) {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

function loopbackOnly(target) {
  let url;
  try {
    url = new URL(String(target));
  } catch (e) {
    throw new TypeError('Invalid URL: ' + target);
  }
  const host = url.hostname;
  if (host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host)) return;
  throw new Error(
    'authmock: scripts reach loopback only; ' + url.host +
      ' is not served (point the script, e.g. through its configuration, at the twin on 127.0.0.1)',
  );
}

function guardedFetch(input, init) {
  const target = input !== null && typeof input === 'object' && 'url' in input ? input.url : input;
  try {
    loopbackOnly(target);
  } catch (e) {
    return Promise.reject(e);
  }
  // A redirect is followed only by hand, so it cannot leave loopback either.
  return fetch(input, Object.assign({}, init, { redirect: 'manual' }));
}

function hasHeader(headers, name) {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

// The `request` module's callback API, over fetch: request(options, cb), request(url, cb),
// request(url, options, cb), request.get/post/put/patch/del/delete/head.
function request(first, second, third) {
  let options;
  let cb;
  if (typeof first === 'string') {
    options = Object.assign({}, typeof second === 'object' && second ? second : {}, { uri: first });
    cb = typeof second === 'function' ? second : third;
  } else {
    options = Object.assign({}, first);
    cb = second;
  }
  if (typeof cb !== 'function') cb = () => {};
  const method = String(options.method || 'GET').toUpperCase();
  let url = String(options.url || options.uri || '');
  if (options.baseUrl) url = String(options.baseUrl).replace(/\/$/, '') + '/' + url.replace(/^\//, '');
  const headers = Object.assign({}, options.headers);
  let body;
  try {
    if (options.qs) {
      const u = new URL(url);
      for (const [k, v] of Object.entries(options.qs)) u.searchParams.append(k, String(v));
      url = u.toString();
    }
  } catch (e) {
    setImmediate(() => cb(e));
    return;
  }
  if (options.form !== undefined) {
    body = typeof options.form === 'string' ? options.form : new URLSearchParams(options.form).toString();
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (options.json !== undefined && typeof options.json === 'object') {
    body = JSON.stringify(options.json);
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
  } else if (options.body !== undefined) {
    body = options.json === true && typeof options.body === 'object' ? JSON.stringify(options.body) : options.body;
    if (options.json === true && !hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
  }
  if (options.json && !hasHeader(headers, 'accept')) headers.accept = 'application/json';
  if (options.auth && (options.auth.user || options.auth.username)) {
    const user = options.auth.user || options.auth.username;
    const pass = options.auth.pass || options.auth.password || '';
    headers.authorization = 'Basic ' + Buffer.from(user + ':' + pass).toString('base64');
  }
  guardedFetch(url, { method, headers, body }).then(
    async (res) => {
      const text = await res.text();
      let parsed = text;
      if (options.json) {
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          // The module leaves a body that is not JSON as text.
        }
      }
      const response = {
        statusCode: res.status,
        statusMessage: res.statusText,
        headers: Object.fromEntries(res.headers),
        body: parsed,
      };
      cb(null, response, parsed);
    },
    (err) => cb(err),
  );
}
for (const [name, method] of [
  ['get', 'GET'],
  ['post', 'POST'],
  ['put', 'PUT'],
  ['patch', 'PATCH'],
  ['del', 'DELETE'],
  ['delete', 'DELETE'],
  ['head', 'HEAD'],
]) {
  request[name] = (first, second, third) => {
    if (typeof first === 'string') {
      const options = Object.assign({}, typeof second === 'object' && second ? second : {}, { method });
      return request(first, options, typeof second === 'function' ? second : third);
    }
    return request(Object.assign({}, first, { method }), second);
  };
}

const MODULES = {
  crypto: () => require('crypto'),
  request: () => request,
  url: () => require('url'),
  querystring: () => require('querystring'),
  util: () => require('util'),
};

function scriptRequire(name) {
  // Auth0 scripts pin versions: require('request@2.81.0').
  const bare = String(name).replace(/^(@?[^@]+)@.*$/, '$1');
  if (Object.prototype.hasOwnProperty.call(MODULES, bare)) return MODULES[bare]();
  throw new Error(
    "authmock: module '" + name + "' is not available to scripts (served: " +
      Object.keys(MODULES).join(', ') + '; fetch and request are globals)',
  );
}

// The names a function of each kind goes by in the provider's templates.
const NAMES = { login: ['login'], get_user: ['getByEmail', 'getUser', 'get_user'] };

function scriptFunction(call, context) {
  const options = { filename: call.function + '.js', timeout: 5000 };
  try {
    const fn = vm.runInContext('(' + call.script + '\n)', context, options);
    if (typeof fn === 'function') return fn;
  } catch (e) {
    // Not a single function expression: run it as statements and look the function up.
  }
  vm.runInContext(call.script, context, options);
  for (const name of NAMES[call.function] || []) {
    if (typeof context[name] === 'function') return context[name];
  }
  throw new Error('the ' + call.function + ' script defines no function ' + (NAMES[call.function] || []).join(' or '));
}

function run(call) {
  const context = vm.createContext({
    configuration: Object.freeze(Object.assign({}, call.configuration)),
    global: {},
    WrongUsernameOrPasswordError,
    ValidationError,
    UnauthorizedError,
    fetch: guardedFetch,
    request,
    require: scriptRequire,
    console: scriptConsole,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    setImmediate,
    clearImmediate,
    queueMicrotask,
    structuredClone,
    Buffer,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    AbortController,
    AbortSignal,
    Headers,
    Response,
    FormData,
    atob,
    btoa,
  });
  const callback = (err, profile) => {
    if (err) return answer(failure(err));
    if (profile === undefined || profile === null) return answer({ profile: null });
    let copy;
    try {
      copy = JSON.parse(JSON.stringify(profile));
    } catch (e) {
      return answer(failure(new Error('the profile is not JSON: ' + e.message)));
    }
    return answer({ profile: copy });
  };
  const fn = scriptFunction(call, context);
  const result = fn(...call.args, callback);
  if (result && typeof result.then === 'function') result.then(undefined, (err) => answer(failure(err)));
}

process.on('uncaughtException', (err) => answer(failure(err)));
process.on('unhandledRejection', (err) => answer(failure(err)));
// Nothing left to run and no callback: it can never come (inf: the provider waits out its
// limit, then errors; the outcome is the same error, sooner).
process.on('beforeExit', () =>
  answer({ error: { name: 'Error', message: 'the script finished without calling its callback' } }),
);

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  input += chunk;
  const end = input.indexOf('\n');
  if (end < 0) return;
  process.stdin.removeAllListeners('data');
  process.stdin.destroy();
  try {
    run(JSON.parse(input.slice(0, end)));
  } catch (err) {
    answer(failure(err));
  }
});
