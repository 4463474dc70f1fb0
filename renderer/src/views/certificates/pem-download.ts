/** "Export PEM" in a browser: the PEM text as a download, named after the certificate. */
export function downloadPem(fileBase: string, pem: string): void {
  const blob = new Blob([pem], { type: 'application/x-pem-file' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `${fileBase.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'certificate'}.pem`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** The CN of a DN in RFC 4514 order ("CN=shop.example, O=..."), or the DN itself. */
export function commonName(dn: string): string {
  const m = /(?:^|,\s*)CN=((?:\\,|[^,])*)/.exec(dn);
  return m ? m[1].replace(/\\,/g, ',') : dn;
}
