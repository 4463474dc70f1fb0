/**
 * How to trust the exported interception CA, per platform. Printed by
 * `tlswb ca --export` and shown in the desktop's Proxy panel.
 */
export function trustInstructions(certFile: string): string {
  const f = JSON.stringify(certFile);
  return [
    `Trust ${certFile} only on machines whose traffic you mean to inspect; remove it when done.`,
    '',
    'Linux, system store (curl, wget, most tools):',
    `  Debian/Ubuntu: sudo cp ${f} /usr/local/share/ca-certificates/tlswb-ca.crt && sudo update-ca-certificates`,
    `  Fedora/RHEL:   sudo cp ${f} /etc/pki/ca-trust/source/anchors/tlswb-ca.pem && sudo update-ca-trust`,
    'Linux, NSS (Chrome/Chromium, Firefox with its own store):',
    `  certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n "tlswb interception CA" -i ${f}`,
    '  (Firefox: Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import)',
    'macOS:',
    `  sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${f}`,
    'Windows (an administrator prompt):',
    `  certutil -addstore -f Root ${f}`,
    'One command only:',
    `  curl --cacert ${f} -x http://127.0.0.1:8080 https://example.com/`,
    '',
  ].join('\n');
}
