// bindings-js/src/wasi/fds/host.js — the preopened directory /host, through
// which a plugin calls its host synchronously (include/sabq/host.h):
//   /host/call/NAME/REQUEST   what host handler NAME returns for REQUEST
//   /host/run/COMMAND ARGS    the stdout of plugin COMMAND run with ARGS
// Opening such a path sends a request (host-rpc.js) and blocks until the host
// answers with a short text or a pipe to stream the answer from.

import { ERRNO, FILETYPE, OFLAGS, RIGHTS } from '../abi.js';
import { fail } from '../fs/node.js';
import { Pipe } from '../../rings/pipe.js';
import { Fd } from './fd.js';
import { PipeReadFd, BytesReadFd } from './stdio.js';

const encoder = new TextEncoder();

/**
 * UTF-8 of a short answer. TextEncoder.encode costs ~400 ns in Node (its
 * result lives outside V8's heap), most of a host call's own work: plain
 * ASCII up to 64 characters is copied by hand into a small array instead.
 */
function answerBytes(text) {
  const n = text.length;
  if (n > 64) return encoder.encode(text);
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return encoder.encode(text);
    bytes[i] = c;
  }
  return bytes;
}

function decodePart(text) {
  if (!text.includes('%')) return text; // nothing encoded: decodeURIComponent would return it as it is
  try {
    return decodeURIComponent(text);
  } catch {
    return fail(ERRNO.INVAL, 'bad percent-encoding in a /host path');
  }
}

/**
 * What a path under /host asks for: {kind: 'call', name, request} or
 * {kind: 'run', command, args}. NAME, REQUEST, COMMAND and ARGS arrive
 * percent-encoded (host.h encodes them); NOENT for any other path.
 */
export function parseHostPath(path) {
  const slash = path.indexOf('/');
  const kind = slash < 0 ? path : path.slice(0, slash);
  const rest = slash < 0 ? '' : path.slice(slash + 1);
  if (kind === 'call') {
    const cut = rest.indexOf('/');
    const name = decodePart(cut < 0 ? rest : rest.slice(0, cut));
    if (name === '') fail(ERRNO.NOENT, '/host/call needs a handler name');
    return { kind, name, request: cut < 0 ? '' : decodePart(rest.slice(cut + 1)) };
  }
  if (kind === 'run') {
    const [command = '', ...args] = decodePart(rest).split(' ').filter(Boolean);
    if (command === '') fail(ERRNO.NOENT, '/host/run needs a command');
    return { kind, command, args };
  }
  return fail(ERRNO.NOENT, `no '/host/${path}' (only call/ and run/)`);
}

export class HostCallsFd extends Fd {
  /**
   * @param {import('../../coordinator/host-rpc.js').HostClient} client
   * @param {number} taskId
   * @param {import('../../rings/module.js').Sabq} sabq where answer pipes live
   */
  constructor(client, taskId, sabq) {
    super({ filetype: FILETYPE.DIRECTORY, rightsBase: RIGHTS.PATH_OPEN, rightsInheriting: RIGHTS.FD_READ | RIGHTS.POLL_FD_READWRITE });
    this.client = client;
    this.taskId = taskId;
    this.sabq = sabq;
    this.path = '/host';
  }

  get preopenName() {
    return '/host';
  }

  dir() {
    return fail(ERRNO.NOTSUP, '/host only opens call/ and run/ paths');
  }

  openAt(path, { oflags }) {
    if (oflags & (OFLAGS.CREAT | OFLAGS.TRUNC | OFLAGS.DIRECTORY)) fail(ERRNO.ROFS, '/host paths are read-only streams');
    const req = parseHostPath(path);
    const answer = req.kind === 'call'
      ? this.client.request('call', { taskId: this.taskId, name: req.name, request: req.request })
      : this.client.request('run', { taskId: this.taskId, command: req.command, args: req.args });
    if (answer.errno !== undefined) fail(ERRNO[answer.errno] ?? ERRNO.IO, `host refused: ${answer.errno}`);
    if (answer.inline !== undefined) return new BytesReadFd(answerBytes(answer.inline));
    const pipe = Pipe.attach(this.sabq, answer.pipe.offset, answer.pipe.size);
    // Closing an answer's fd lets the host reuse its pipe at once.
    return new PipeReadFd(pipe, {
      onClose: () => {
        pipe.close();
        this.client.send('closed', { taskId: this.taskId, offset: pipe.offset });
      },
    });
  }
}
