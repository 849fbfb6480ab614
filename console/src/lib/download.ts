// Saving a file the API handed over as base64 (reportFile): the console talks to the server only
// through GraphQL, so a download is a query whose answer becomes a Blob here.

export interface FileAnswer {
  filename: string;
  mediaType: string;
  sizeBytes: number;
  contentBase64: string;
}

/** The file's bytes; throws when they do not add up to the size the server stated. */
export function fileBytes(file: FileAnswer): Uint8Array {
  const binary = atob(file.contentBase64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  if (bytes.length !== file.sizeBytes) throw new Error(`文件不完整：应为 ${file.sizeBytes} 字节，收到 ${bytes.length} 字节`);
  return bytes;
}

/** Hand the file to the browser's save dialog under its own (Chinese) name. */
export function saveFile(file: FileAnswer): void {
  const url = URL.createObjectURL(new Blob([fileBytes(file) as BlobPart], { type: file.mediaType }));
  const a = document.createElement("a");
  a.href = url;
  a.download = file.filename;
  a.click();
  URL.revokeObjectURL(url);
}
