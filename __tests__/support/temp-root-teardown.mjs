// jest's globalTeardown: see temp-root.mjs.
export { teardown as default } from './temp-root.mjs'
