// A true ES module: the fixture patch wraps shout() on its namespace where a loader lets it.
export function shout (text) {
  return `${text.toUpperCase()}!`
}
