/**
 * Where the images to check come from: `auto` takes the images config, else a bake file,
 * else a compose file, else the Dockerfiles the `dockerfiles` globs match.
 */
export const IMAGES_FROM = ['auto', 'config', 'compose', 'bake', 'dockerfiles'] as const
export type ImagesFrom = (typeof IMAGES_FROM)[number]
