/**
 * GeneralNames (RFC 5280 4.2.1.6) as OpenSSL-style "TYPE:value" strings:
 * "DNS:shop.example", "IP:192.0.2.1", "IP:2001:db8::1", "email:a@b", "URI:https://x".
 *
 *   GeneralName ::= CHOICE {
 *     otherName [0] OtherName, rfc822Name [1] IA5String, dNSName [2] IA5String,
 *     x400Address [3] ORAddress, directoryName [4] Name, ediPartyName [5] EDIPartyName,
 *     uniformResourceIdentifier [6] IA5String, iPAddress [7] OCTET STRING,
 *     registeredID [8] OBJECT IDENTIFIER }
 */
import { DerReader, TagClass, TAG, decodeOid, toHex } from './der-reader';
import { decodeDerString } from './der-strings';
import { formatName } from './distinguished-name';
import { formatIpv6 } from '../net/ip-address-text';


export function formatIpAddress(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length === 16) return formatIpv6(b, 0);
  return toHex(b); // name-constraint address+mask forms and malformed lengths
}

/**
 * IA5String names with control characters shown as \XX: a NUL inside a DNS
 * name is the classic way to make "bank.example\0.evil" look like
 * "bank.example", so it must stay visible.
 */
function ia5(b: Uint8Array): string {
  // eslint-disable-next-line no-control-regex
  return decodeDerString(TAG.IA5_STRING, b)!.replace(/[\x00-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

const OTHER_NAME_TYPES: ReadonlyMap<string, string> = new Map([
  ['1.3.6.1.4.1.311.20.2.3', 'UPN'], // Microsoft user principal name
  ['1.3.6.1.5.5.7.8.9', 'SmtpUTF8Mailbox'], // RFC 8398
]);

/**
 * OtherName ::= SEQUENCE { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY DEFINED BY type-id }
 * As "UPN:user@example" when the value is a string, else just the type.
 */
function formatOtherName(d: DerReader): string {
  const oid = decodeOid(d.expect(TAG.OID, 'type-id').contents.bytes());
  const type = OTHER_NAME_TYPES.get(oid) ?? oid;
  const value = d.optionalContext(0, 'value');
  if (value === null || value.contents.atEnd) return type;
  const inner = value.contents.next('value');
  const text = inner.cls === TagClass.Universal ? decodeDerString(inner.tag, inner.contents.bytes()) : null;
  return text === null ? type : `${type}:${text}`;
}

/** Reads the contents of a GeneralNames SEQUENCE. */
export function formatGeneralNames(names: DerReader): string[] {
  const out: string[] = [];
  while (!names.atEnd) {
    const e = names.next('GeneralName');
    const b = e.contents.bytes();
    if (e.cls !== TagClass.Context) {
      out.push(`unknown:${toHex(b)}`);
      continue;
    }
    switch (e.tag) {
      case 0:
        out.push(`othername:${formatOtherName(e.contents)}`);
        break;
      case 1:
        out.push(`email:${ia5(b)}`);
        break;
      case 2:
        out.push(`DNS:${ia5(b)}`);
        break;
      case 4:
        out.push(`DirName:${formatName(e.contents.expect(TAG.SEQUENCE, 'directoryName').contents)}`);
        break;
      case 6:
        out.push(`URI:${ia5(b)}`);
        break;
      case 7:
        out.push(`IP:${formatIpAddress(b)}`);
        break;
      case 8:
        out.push(`RID:${decodeOid(b)}`);
        break;
      default:
        out.push(`[${e.tag}]:${toHex(b)}`); // x400Address, ediPartyName: rare, shown raw
    }
  }
  return out;
}
