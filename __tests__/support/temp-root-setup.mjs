// jest's globalSetup: see temp-root.mjs.
export { setup as default } from './temp-root.mjs'
