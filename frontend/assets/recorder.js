/*
 * recorder.js — camera + microphone recording for the AI interview with MediaRecorder
 * (webm: VP8/VP9 + Opus, whichever the browser offers), and a durable answer store.
 *
 * Recorder: start() opens the devices once and shows the live preview; record(limitS)
 * collects 1 s chunks and stops by itself at the time limit; the result is
 * {blob, mime, started_at, ended_at, duration_ms} (wall-clock timing of the answer).
 * AnswerStore keeps each recorded answer in IndexedDB until the server acknowledged it, so a
 * dropped connection or a reload does not lose an answer; uploadWithRetry() retries with
 * exponential backoff (1, 2, 4 … 30 s) while the answer is kept.
 */
const MIMES = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm'];

export function pickMime() {
  if (typeof MediaRecorder === 'undefined') return null;
  return MIMES.find((m) => MediaRecorder.isTypeSupported(m)) || null;
}

export class Recorder {
  constructor(video) { this.video = video; this.stream = null; this.rec = null; }

  /* audioOnly: an accommodation (answer by voice, no camera). */
  async open(audioOnly = false) {
    if (this.stream) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error('media devices are not available in this browser');
    this.audioOnly = audioOnly;
    this.stream = await navigator.mediaDevices.getUserMedia(audioOnly ? { audio: true } : { video: { width: 640, height: 480 }, audio: true });
    this.video.srcObject = this.stream;
    this.video.muted = true;
    await this.video.play().catch(() => {});
  }

  /* Record until stop() or limitS seconds; onTick(elapsedS) every 250 ms. */
  record(limitS, onTick) {
    const mime = this.audioOnly ? 'audio/webm;codecs=opus' : pickMime();
    if (!mime || !MediaRecorder.isTypeSupported(mime)) return Promise.reject(new Error('MediaRecorder with webm is not supported'));
    const chunks = [];
    const rec = new MediaRecorder(this.stream, this.audioOnly ? { mimeType: mime } : { mimeType: mime, videoBitsPerSecond: 800000 });
    this.rec = rec;
    const started = new Date();
    return new Promise((resolve, reject) => {
      const tick = setInterval(() => {
        const el = (Date.now() - started.getTime()) / 1000;
        if (onTick) onTick(el);
        if (el >= limitS && rec.state === 'recording') rec.stop();
      }, 250);
      rec.ondataavailable = (e) => { if (e.data && e.data.size) chunks.push(e.data); };
      rec.onerror = (e) => { clearInterval(tick); reject(e.error || new Error('recording failed')); };
      rec.onstop = () => {
        clearInterval(tick);
        const ended = new Date();
        resolve({ blob: new Blob(chunks, { type: mime.split(';')[0] }), mime, started_at: started.toISOString(), ended_at: ended.toISOString(), duration_ms: ended - started });
      };
      rec.start(1000);
    });
  }

  stop() { if (this.rec && this.rec.state === 'recording') this.rec.stop(); }

  close() {
    this.stop();
    if (this.stream) for (const tr of this.stream.getTracks()) tr.stop();
    this.stream = null;
    if (this.video) this.video.srcObject = null;
  }
}

const DB = 'kocruit-answers', STORE = 'answers';

function db() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, fn) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const t = d.transaction(STORE, mode);
    const r = fn(t.objectStore(STORE));
    t.oncomplete = () => { d.close(); resolve(r && 'result' in r ? r.result : undefined); };
    t.onerror = () => { d.close(); reject(t.error); };
  });
}

/* Answers waiting for the server, keyed "<application>:<question>". */
export const AnswerStore = {
  put: (key, answer) => tx('readwrite', (s) => s.put(answer, key)),
  get: (key) => tx('readonly', (s) => s.get(key)),
  remove: (key) => tx('readwrite', (s) => s.delete(key)),
  keys: () => tx('readonly', (s) => s.getAllKeys()),
};

/* Call send() until it resolves; the answer stays stored meanwhile. onRetry(attempt, waitS, err). */
export async function uploadWithRetry(send, onRetry, maxAttempts = 8) {
  let wait = 1;
  for (let attempt = 1; ; attempt++) {
    try { return await send(); } catch (err) {
      if (attempt >= maxAttempts || (err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429)) throw err;
      if (onRetry) onRetry(attempt, wait, err);
      await new Promise((r) => setTimeout(r, wait * 1000));
      wait = Math.min(30, wait * 2);
    }
  }
}
