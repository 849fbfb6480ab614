// A file chosen in the browser, as the API takes it: base64 without the data-URL prefix.

export const IMPORT_TYPES = [".xlsx", ".csv"];
export const MAX_UPLOAD_BYTES = 700_000; // base64 grows it by a third; the body limit is 1 MB

/** Why this file cannot be uploaded, or null when it can. */
export function uploadProblem(name: string, size: number): string | null {
  const lower = name.toLowerCase();
  if (lower.endsWith(".xls")) return "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再上传";
  if (!IMPORT_TYPES.some((t) => lower.endsWith(t))) return `只能上传 ${IMPORT_TYPES.join(" 或 ")} 文件`;
  if (size > MAX_UPLOAD_BYTES) return `文件过大（${Math.ceil(size / 1024)} KB），请不超过 ${MAX_UPLOAD_BYTES / 1000} KB，或分成几份导入`;
  return null;
}

/** The bytes as base64 (what `importEnterprises` expects in contentBase64). */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}
