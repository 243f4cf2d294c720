/**
 * X.509 certificates for the local CA (ca.ts): the TBSCertificate built with @peculiar/asn1-x509,
 * signed with node:crypto (ECDSA P-256 with SHA-256). Loaded only when a certificate has to be
 * made, so a server whose certificates exist never loads it.
 */
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier, AttributeTypeAndValue, AttributeValue, AuthorityKeyIdentifier, BasicConstraints, Certificate,
  ExtendedKeyUsage, Extension, Extensions, GeneralName, KeyIdentifier, KeyUsage, KeyUsageFlags, Name,
  RelativeDistinguishedName, SubjectAlternativeName, SubjectKeyIdentifier, SubjectPublicKeyInfo, TBSCertificate, Validity,
  Version, id_ce_authorityKeyIdentifier, id_ce_basicConstraints, id_ce_extKeyUsage, id_ce_keyUsage, id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier, id_kp_serverAuth,
} from '@peculiar/asn1-x509';

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';
const ORGANIZATION = '2.5.4.10';

export interface CertSpec {
  /** Subject common name and organization. */
  subject: { cn: string; o?: string };
  publicKey: KeyObject;
  /** The issuer's name and key (the subject's own for a self-signed CA). */
  issuer: { cn: string; o?: string; privateKey: KeyObject; publicKey: KeyObject };
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  /** DNS names (wildcards as `*.x.y`) and IP addresses for a server certificate. */
  names?: string[];
}

const name = (n: { cn: string; o?: string }): Name => new Name([
  ...(n.o ? [new RelativeDistinguishedName([new AttributeTypeAndValue({ type: ORGANIZATION, value: new AttributeValue({ utf8String: n.o }) })])] : []),
  new RelativeDistinguishedName([new AttributeTypeAndValue({ type: COMMON_NAME, value: new AttributeValue({ utf8String: n.cn }) })]),
]);

/** RFC 5280's method 1: the SHA-1 of the subjectPublicKey bit string. */
function keyId(publicKey: KeyObject): ArrayBuffer {
  const spki = AsnConvert.parse(publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo);
  return toArrayBuffer(createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest());
}

const toArrayBuffer = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

const ext = (extnID: string, critical: boolean, value: unknown): Extension =>
  new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });

/** A positive serial of 16 random bytes, minimally encoded (first byte 0x01..0x7f). */
function serial(): ArrayBuffer {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) || 0x01;
  return toArrayBuffer(b);
}

/** The certificate as PEM. */
export function makeCertificate(spec: CertSpec): string {
  const alg = new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 });
  const extensions = new Extensions([
    ext(id_ce_basicConstraints, true, new BasicConstraints(spec.ca ? { cA: true, pathLenConstraint: 0 } : { cA: false })),
    ext(id_ce_keyUsage, true, new KeyUsage(spec.ca ? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature : KeyUsageFlags.digitalSignature)),
    ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId(spec.publicKey))),
  ]);
  if (!spec.ca) {
    extensions.push(ext(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId(spec.issuer.publicKey)) })));
    extensions.push(ext(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_serverAuth])));
    const names = (spec.names ?? []).map((n) => (isIP(n) ? new GeneralName({ iPAddress: n }) : new GeneralName({ dNSName: n })));
    // Clients match host names against these only (the CN is not consulted).
    extensions.push(ext(id_ce_subjectAltName, false, new SubjectAlternativeName(names)));
  }
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serial(),
    signature: alg,
    issuer: name(spec.issuer),
    validity: new Validity({ notBefore: spec.notBefore, notAfter: spec.notAfter }),
    subject: name(spec.subject),
    subjectPublicKeyInfo: AsnConvert.parse(spec.publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo),
    extensions,
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  // node:crypto writes ECDSA signatures as the DER SEQUENCE {r, s} X.509 carries.
  const signature = sign('sha256', tbsDer, spec.issuer.privateKey);
  const cert = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: alg, signatureValue: toArrayBuffer(signature) });
  const der = Buffer.from(AsnConvert.serialize(cert));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
}
