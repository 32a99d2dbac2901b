/**
 * The lines of a newline-delimited JSON stream as they arrive (blank lines skipped), a batch per chunk: a line
 * split across chunks is given once it is whole, and a last line without its newline at the end.
 */
export async function* ndjsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let rest = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += decoder.decode(value, { stream: true });
      const lines = rest.split("\n");
      rest = lines.pop() ?? "";
      const full = lines.filter((l) => l.trim());
      if (full.length > 0) yield full;
    }
    if (rest.trim()) yield [rest];
  } finally {
    reader.releaseLock();
  }
}
