import { visit } from 'jsonc-parser';

/**
 * The JSON lines of a log that name a key twice in one object, with the keys repeated: JSON.parse keeps the last
 * value without a word, as most log readers do, so a repeat shows the wrong value.
 */
export function linesRepeatingKeys(output: string): { line: string; keys: string[] }[] {
  const found: { line: string; keys: string[] }[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    const open: Set<string>[] = [];
    const repeated: string[] = [];
    visit(line, {
      onObjectBegin: () => { open.push(new Set()); },
      onObjectEnd: () => { open.pop(); },
      onObjectProperty: (key) => {
        const keys = open[open.length - 1];
        if (keys.has(key)) repeated.push(key);
        keys.add(key);
      },
    });
    if (repeated.length > 0) found.push({ line, keys: repeated });
  }
  return found;
}
