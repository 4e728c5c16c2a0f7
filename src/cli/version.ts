// ncc inlines the JSON (only the fields read), so the bundle needs no package.json beside it.
import pkg from '../../package.json' with { type: 'json' }

export const VERSION: string = pkg.version
