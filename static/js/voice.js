// Voice messages: the microphone button records with MediaRecorder (Opus in
// WebM, or in Ogg where that is what the browser makes), shows the time
// while recording, and on "stop" puts the recording in the upload tray with
// its duration, ready to send.

import { $, h, fill, icon, toast } from './dom.js';
import { formatDuration } from './files.js';
import { addFiles } from './upload-tray.js';
import { t } from './i18n.js';

const TYPES = [
  ['audio/webm;codecs=opus', 'webm'],
  ['audio/ogg;codecs=opus', 'ogg'],
  ['audio/webm', 'webm'],
  ['audio/ogg', 'ogg'],
];

let recording = null; // {recorder, stream, chunks, started, timer, canceled}

export const voiceSupported = () => !!(navigator.mediaDevices?.getUserMedia && window.MediaRecorder);

function pickType() {
  return TYPES.find(([type]) => MediaRecorder.isTypeSupported?.(type)) || ['', 'webm'];
}

function showBar() {
  const time = h('span', { class: 'rec-time', role: 'timer' }, '0:00');
  fill($('#recorder'),
    h('span', { class: 'rec-dot', 'aria-hidden': 'true' }),
    h('span', { class: 'rec-label' }, t('voice.recording')),
    time,
    h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => stop(true) }, t('common.cancel')),
    h('button', { type: 'button', class: 'btn btn-primary', onclick: () => stop(false) }, icon('stop', { size: 14 }), ` ${t('voice.stop')}`),
  );
  $('#recorder').hidden = false;
  $('#composer').hidden = true;
  return time;
}

function hideBar() {
  $('#recorder').hidden = true;
  $('#composer').hidden = false;
  $('#composer-input').focus();
}

async function begin() {
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch {
    toast(t('voice.noMic'), 'error');
    return;
  }
  const [type, ext] = pickType();
  const recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
  const rec = { recorder, stream, chunks: [], started: performance.now(), canceled: false, ext };
  recording = rec;
  recorder.addEventListener('dataavailable', (e) => e.data.size && rec.chunks.push(e.data));
  recorder.addEventListener('stop', () => finish(rec));
  recorder.start(250);
  const time = showBar();
  rec.timer = setInterval(() => {
    time.textContent = formatDuration(performance.now() - rec.started);
  }, 250);
}

function stop(cancel) {
  if (!recording) return;
  recording.canceled = cancel;
  recording.ended = performance.now();
  clearInterval(recording.timer);
  recording.recorder.stop();
}

function finish(rec) {
  rec.stream.getTracks().forEach((t) => t.stop());
  recording = null;
  hideBar();
  if (rec.canceled || !rec.chunks.length) return;
  const type = rec.recorder.mimeType || `audio/${rec.ext}`;
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '');
  const file = new File(rec.chunks, `voice-${stamp}.${rec.ext}`, { type });
  addFiles([file], { durationMs: (rec.ended || performance.now()) - rec.started });
}

export function initVoice() {
  const button = $('#voice-btn');
  button.hidden = !voiceSupported();
  button.addEventListener('click', () => (recording ? stop(false) : begin()));
}
