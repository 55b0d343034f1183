// patchrun/rolldown: the rolldown plugin that inlines patchrun's patches into a bundle (see docs/bundlers.md).
import { patchrunUnplugin, type PatchrunPluginOptions } from './core'

export type { PatchrunPluginOptions } from './core'

/** `plugins: [patchrun()]`, or `patchrun({ patches: ['name'] })`: the same patches the preload would apply, found the same way. */
export const patchrun = (options?: PatchrunPluginOptions) => patchrunUnplugin.rolldown(options)
