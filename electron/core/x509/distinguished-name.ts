/**
 * X.501 Name as an RFC 4514 string, most specific RDN first:
 * "CN=shop.example, O=Example Ltd, C=CN".
 *
 *   Name ::= CHOICE { rdnSequence RDNSequence }
 *   RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
 *   RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
 *   AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY }
 *
 * RDNs are joined with ", " (as the contract's examples, and OpenSSL's
 * sep_comma_plus_space), multi-valued RDNs with "+". Types use OpenSSL's short
 * names; unknown types are dotted with the value as "#" + hex of its DER
 * (RFC 4514 2.4). Special characters are escaped as RFC 4514 2.4 says, control
 * characters as \XX.
 */
import { DerReader, TAG, decodeOid, elementBytes, toHex } from './der-reader';
import { decodeDerString } from './der-strings';
import { ATTRIBUTE_SHORT_NAMES } from './oid-names';

/** RFC 4514 2.4 escaping of an attribute value. */
export function escapeRfc4514(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    const code = value.charCodeAt(i);
    if (c === ',' || c === '+' || c === '"' || c === '\\' || c === '<' || c === '>' || c === ';') out += `\\${c}`;
    else if ((c === '#' || c === ' ') && i === 0) out += `\\${c}`;
    else if (c === ' ' && i === value.length - 1) out += '\\ ';
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += c;
  }
  return out;
}

function attribute(d: DerReader): string {
  const seq = d.expect(TAG.SEQUENCE, 'AttributeTypeAndValue').contents;
  const oid = decodeOid(seq.expect(TAG.OID, 'AttributeType').contents.bytes());
  const value = seq.next('AttributeValue');
  const name = ATTRIBUTE_SHORT_NAMES.get(oid);
  const text = value.cls === 0 ? decodeDerString(value.tag, value.contents.bytes()) : null;
  if (name === undefined || text === null) return `${name ?? oid}=#${toHex(elementBytes(value))}`;
  return `${name}=${escapeRfc4514(text)}`;
}

/** Formats the contents of a Name SEQUENCE (`name` reads the RDNSequence's contents). */
export function formatName(name: DerReader): string {
  const rdns: string[] = [];
  while (!name.atEnd) {
    const set = name.expect(TAG.SET, 'RelativeDistinguishedName').contents;
    const parts: string[] = [];
    while (!set.atEnd) parts.push(attribute(set));
    rdns.push(parts.join('+'));
  }
  return rdns.reverse().join(', ');
}
