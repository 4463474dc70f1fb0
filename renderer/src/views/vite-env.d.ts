/// <reference types="vite/client" />
// The views import their CSS (`import './timeline.css'`); Vite's client types declare such modules.
