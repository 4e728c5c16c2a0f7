// Lets a script of this folder import a module of src/ as it is, without a build: Node 20
// runs no TypeScript, so these module hooks take the types out with TypeScript's own
// transpiler (no type check: `npm run typecheck` does that). An import of `./x.js` finds
// `./x.ts`, as tsc resolves it. Register with `module.register('./typescript-hooks.mjs',
// import.meta.url)`, then import src/ dynamically (a static import would run first).
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context)
  } catch (error) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../')
    if (!relative || !specifier.endsWith('.js') || !context.parentURL?.endsWith('.ts')) throw error
    return next(`${specifier.slice(0, -3)}.ts`, context)
  }
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context)
  const path = fileURLToPath(url)
  const { outputText } = ts.transpileModule(await readFile(path, 'utf8'), {
    fileName: path,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false }
  })
  return { format: 'module', source: outputText, shortCircuit: true }
}
