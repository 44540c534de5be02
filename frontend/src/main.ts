// Entry point: styles and the app.
import './styles.css';
import { App } from './app';

const app = new App();
window.addEventListener('pagehide', () => app.close());
void app.start();
