/**
 * A file picked or dropped in the browser, as the API takes it: base64 text
 * (the contract carries JSON only). Refused before reading when it is larger
 * than the engine side accepts.
 */
export async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  // In slices: String.fromCharCode(...all) would overflow the call stack on a large capture.
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** True when a drag carries files (not text or a link). */
export function dragHasFiles(types: readonly string[] | DOMStringList | undefined): boolean {
  return types !== undefined && Array.from(types as ArrayLike<string>).includes('Files');
}
