// Reads the environment variables the preload obeys: PATCHRUN_PATCHES, PATCHRUN_DISABLED, PATCHRUN_STRICT.

/** `PATCHRUN_PATCHES`: comma-separated; spaces around names and empty entries are ignored; duplicates once. */
export function parsePatchList(value: string | undefined): string[] {
  if (value === undefined) return []
  // A set keeps the order and drops repeats without comparing every name with every other (1000 names).
  const names = new Set<string>()
  // Indexed, and the set read with forEach: a thousand names, in cold code, at every preload (for…of and a
  // spread make an iterator result per name).
  const parts = value.split(',')
  for (let i = 0; i < parts.length; i++) {
    const name = parts[i]!.trim()
    if (name !== '') names.add(name)
  }
  const list: string[] = []
  names.forEach((name) => list.push(name))
  return list
}

/**
 * Whether `PATCHRUN_PATCHES` names anything: parsePatchList(value).length > 0, without making the list. `\s` is
 * the set trim() removes, so a name is any character other than a comma or that. The preload asks this of
 * every process before it knows whether it has work; with a thousand names, the list took 1-2 ms.
 */
export function namesAnyPatch(value: string | undefined): boolean {
  return value !== undefined && /[^,\s]/.test(value)
}

/** A boolean switch: `1`, `true`, `yes`, `on` (any case) mean on; anything else, or unset, off. */
export function isOn(value: string | undefined): boolean {
  if (value === undefined) return false
  // Compared in lower case rather than with an `i` regex, whose case tables V8 builds on first use (0.1 ms,
  // in every child of a run that sets PATCHRUN_DISABLED): no other character lower-cases to these letters.
  const word = value.trim().toLowerCase()
  return word === '1' || word === 'true' || word === 'yes' || word === 'on'
}

/** `PATCHRUN_CODE_CACHE=0` (any value isOn does not take, set and not blank): patchrun's own files compile in every process. */
export function codeCacheSwitchedOff(env: NodeJS.ProcessEnv): boolean {
  const value = env.PATCHRUN_CODE_CACHE
  return value !== undefined && value.trim() !== '' && !isOn(value)
}

/** An environment switch that can override a config: undefined when unset or empty, else what isOn says. */
export function readSwitch(value: string | undefined): boolean | undefined {
  if (value === undefined || value.trim() === '') return undefined
  return isOn(value)
}
