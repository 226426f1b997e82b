// A sound's waveform over its player, drawn from the sound itself (Web Audio decodes it):
// its loudness along its length, the part played in full colour, a click moves the player.
import { $ } from "./dom.js";

// Drawn once decoded; a sound this browser cannot decode keeps the player alone.
export async function drawWaveform(canvas, file) {
  const mark = String(Math.random()); // a newer sound drawn meanwhile wins
  canvas.dataset.mark = mark;
  canvas.hidden = true;
  if (typeof OfflineAudioContext === "undefined") return;
  let samples;
  try {
    const sound = await new OfflineAudioContext(1, 1, 8000).decodeAudioData(await file.arrayBuffer());
    samples = sound.getChannelData(0);
  } catch (_) {
    return;
  }
  if (canvas.dataset.mark !== mark || !samples.length) return;
  canvas.hidden = false;
  const width = canvas.clientWidth || 480;
  const bars = Math.max(1, Math.floor(width / 3));
  const per = Math.max(1, Math.floor(samples.length / bars));
  const peaks = Array.from({ length: bars }, (_, bar) => {
    let peak = 0;
    for (let i = bar * per; i < Math.min(samples.length, (bar + 1) * per); i++) peak = Math.max(peak, Math.abs(samples[i]));
    return peak;
  });
  waveforms.set(canvas, peaks);
  paintWaveform(canvas, 0);
}

const waveforms = new WeakMap(); // canvas -> its sound's peaks, one per bar

// The bars, those already played in full colour, the rest lighter.
function paintWaveform(canvas, played) {
  const peaks = waveforms.get(canvas);
  if (!peaks || canvas.hidden) return;
  const scale = window.devicePixelRatio || 1;
  const [width, height] = [canvas.clientWidth || 480, canvas.clientHeight || 56];
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const draw = canvas.getContext("2d");
  draw.scale(scale, scale);
  draw.fillStyle = getComputedStyle(canvas).color;
  const loudest = Math.max(...peaks) || 1;
  peaks.forEach((peak, bar) => {
    const tall = Math.max(1, (peak / loudest) * (height - 4));
    draw.globalAlpha = bar / peaks.length < played ? 1 : 0.45;
    draw.fillRect(bar * 3, (height - tall) / 2, 2, tall);
  });
}

// The player moves the waveform's played part; a click on the waveform moves the player there.
export function wireWaveform(canvas) {
  const player = $("audio.preview", canvas.closest("[data-drop]"));
  if (!player) return;
  const follow = () => paintWaveform(canvas, player.duration ? player.currentTime / player.duration : 0);
  ["timeupdate", "seeked", "ended"].forEach((kind) => player.addEventListener(kind, follow));
  canvas.addEventListener("click", (event) => {
    if (!Number.isFinite(player.duration)) return;
    player.currentTime = (event.offsetX / canvas.clientWidth) * player.duration;
  });
}
