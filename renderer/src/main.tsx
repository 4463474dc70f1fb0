/** Renderer entry: mount the app; an error before React renders still shows, never a blank window. */
import { createRoot } from 'react-dom/client';
import { App } from './app';
import './styles/app.css';

const root = document.getElementById('root');
try {
  if (!root) throw new Error('no #root element');
  createRoot(root).render(<App />);
} catch (err) {
  document.body.textContent = `TLS Workbench could not start: ${(err as Error).message}`;
}
