import { render } from 'preact';
import { App } from './app';
import { unlockAudio } from './beep';
import './styles.css';

// Browsers start audio only after a gesture: the first click or key anywhere unlocks the alarm beep.
for (const type of ['pointerdown', 'keydown'] as const) window.addEventListener(type, unlockAudio, { once: true, capture: true });

render(<App />, document.getElementById('app') as HTMLElement);
