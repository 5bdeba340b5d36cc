#!/usr/bin/env node
// verify.js: verifies a Sigstore bundle offline with sigstore-js (@sigstore/verify), against a
// trusted_root.json given on the command line instead of sigstore's TUF repository. It is
// releaser's independent second verifier: a bundle that releaser (sigstore-go) writes must pass
// here too, and one that sigstore-go accepts wrongly should fail here.
//
// Usage and exit codes: see USAGE below and README.md. Exactly one JSON object is printed on
// stdout in every case.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

const USAGE = `usage: node verify.js --trusted-root FILE --bundle FILE --artifact FILE
         [--cert-identity URI | --cert-identity-regexp RE] [--cert-issuer URL]
         [--tlog-threshold N] [--ctlog-threshold N] [--timestamp-threshold N]

Verifies a Sigstore bundle with sigstore-js against the given trusted root, offline.
  --trusted-root FILE        trusted root JSON (application/vnd.dev.sigstore.trustedroot+json;version=0.1)
  --bundle FILE              Sigstore bundle JSON (v0.1-v0.3)
  --artifact FILE            the artifact: for a DSSE bundle its sha256 must be a subject of the
                             in-toto statement; for a message-signature bundle the signed bytes
  --cert-identity URI        the certificate's SAN must equal URI exactly
  --cert-identity-regexp RE  the SAN must match the JavaScript regular expression RE (unanchored)
  --cert-issuer URL          the OIDC issuer extension (1.3.6.1.4.1.57264.1.8) must equal URL
  --tlog-threshold N         transparency log entries required (default 1; 0 for TSA-only bundles)
  --ctlog-threshold N        SCTs required in the certificate (default 1; 0 when it has none)
  --timestamp-threshold N    verified timestamps (SET or RFC 3161) required (default 1)
Exit 0: verified, prints {"ok":true,...}. Exit 1: not verified, prints {"ok":false,"error":...}.
Exit 2: usage error or unreadable input, prints {"ok":false,"usage":true,"error":...}.`;

const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
// Fulcio's extension arc; the values of .8 and later are DER UTF8Strings, .1-.6 are raw bytes.
const FULCIO_OID_PREFIX = '1.3.6.1.4.1.57264.1.';

class UsageError extends Error {}

function parseArgs(argv) {
  const spec = {
    '--trusted-root': 'trustedRoot',
    '--bundle': 'bundle',
    '--artifact': 'artifact',
    '--cert-identity': 'certIdentity',
    '--cert-identity-regexp': 'certIdentityRegexp',
    '--cert-issuer': 'certIssuer',
    '--tlog-threshold': 'tlogThreshold',
    '--ctlog-threshold': 'ctlogThreshold',
    '--timestamp-threshold': 'timestampThreshold',
  };
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '-h' || flag === '--help') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    }
    const key = spec[flag];
    if (!key) throw new UsageError(`unknown argument ${JSON.stringify(flag)}`);
    if (i + 1 >= argv.length) throw new UsageError(`${flag} needs a value`);
    if (key in args) throw new UsageError(`${flag} given twice`);
    args[key] = argv[++i];
  }
  for (const flag of ['--trusted-root', '--bundle', '--artifact']) {
    if (!(spec[flag] in args)) throw new UsageError(`${flag} is required`);
  }
  if (args.certIdentity !== undefined && args.certIdentityRegexp !== undefined) {
    throw new UsageError('--cert-identity and --cert-identity-regexp are mutually exclusive');
  }
  for (const key of ['tlogThreshold', 'ctlogThreshold', 'timestampThreshold']) {
    if (args[key] === undefined) {
      args[key] = 1;
    } else if (/^[0-9]+$/.test(args[key])) {
      args[key] = Number(args[key]);
    } else {
      throw new UsageError(`--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} must be a non-negative integer`);
    }
  }
  return args;
}

function readFile(path, what) {
  try {
    return fs.readFileSync(path);
  } catch (e) {
    throw new UsageError(`reading ${what} ${path}: ${e.message}`);
  }
}

function loadTrustMaterial(path) {
  let root;
  try {
    root = TrustedRoot.fromJSON(JSON.parse(readFile(path, 'trusted root').toString('utf8')));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // A broken trusted root is the test harness' fault, not the bundle's.
    throw new UsageError(`parsing trusted root ${path}: ${e.message}`);
  }
  return toTrustMaterial(root);
}

// The SAN policy of sigstore-js is a regular expression; an exact identity is escaped and
// anchored so that a longer SAN (".../release.yml.evil.yml@...") cannot match.
function sanPolicy(args) {
  if (args.certIdentityRegexp !== undefined) return args.certIdentityRegexp;
  if (args.certIdentity !== undefined) {
    return '^' + args.certIdentity.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$';
  }
  return undefined;
}

// Records the timestamps the verifier accepted, so the report can show them; the verification
// itself is sigstore-js' own, unchanged.
class RecordingVerifier extends Verifier {
  verifyTimestamps(entity) {
    this.verifiedTimestamps = super.verifyTimestamps(entity);
    return this.verifiedTimestamps;
  }
}

// sigstore-js does not look at the in-toto statement at all: the subject check that gh and
// releaser make (the artifact's digest is one of the subjects) is done here.
function checkStatement(bundle, artifact) {
  const env = bundle.content.dsseEnvelope;
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new Error(`DSSE payloadType is ${JSON.stringify(env.payloadType)}, want ${IN_TOTO_PAYLOAD_TYPE}`);
  }
  let statement;
  try {
    statement = JSON.parse(env.payload.toString('utf8'));
  } catch (e) {
    throw new Error(`DSSE payload is not JSON: ${e.message}`);
  }
  if (statement === null || typeof statement !== 'object' || !Array.isArray(statement.subject)) {
    throw new Error('in-toto statement has no subject list');
  }
  const digest = crypto.createHash('sha256').update(artifact).digest('hex');
  const subjects = statement.subject.map((s) => ({
    name: s && typeof s.name === 'string' ? s.name : '',
    sha256: s && s.digest && typeof s.digest.sha256 === 'string' ? s.digest.sha256 : '',
  }));
  if (!subjects.some((s) => s.sha256.toLowerCase() === digest)) {
    throw new Error(`artifact sha256 ${digest} is not a subject of the statement`);
  }
  return {
    statementType: statement._type,
    predicateType: statement.predicateType,
    subjects,
    artifactSHA256: digest,
  };
}

function decodeExtension(oid, value) {
  const buf = Buffer.from(value);
  // DER UTF8String with a short or one-byte long length: enough for every Fulcio value.
  if (buf[0] === 0x0c) {
    if (buf[1] < 0x80 && buf.length === 2 + buf[1]) return buf.subarray(2).toString('utf8');
    if (buf[1] === 0x81 && buf.length === 3 + buf[2]) return buf.subarray(3).toString('utf8');
    if (buf[1] === 0x82 && buf.length === 4 + buf.readUInt16BE(2)) return buf.subarray(4).toString('utf8');
  }
  return buf.toString('utf8');
}

function fulcioExtensions(identity) {
  const out = {};
  for (const pair of (identity && identity.oids) || []) {
    const oid = pair.oid && pair.oid.id ? pair.oid.id.join('.') : '';
    if (oid.startsWith(FULCIO_OID_PREFIX)) out[oid] = decodeExtension(oid, pair.value);
  }
  return out;
}

function verify(args, trustMaterial, bundleBytes, artifact) {
  const bundle = bundleFromJSON(JSON.parse(bundleBytes.toString('utf8')));
  const isDSSE = bundle.content.$case === 'dsseEnvelope';
  const statement = isDSSE ? checkStatement(bundle, artifact) : {};
  // For a message signature the artifact is what was signed; a DSSE envelope carries its payload.
  const entity = toSignedEntity(bundle, isDSSE ? undefined : artifact);
  const verifier = new RecordingVerifier(trustMaterial, {
    tlogThreshold: args.tlogThreshold,
    ctlogThreshold: args.ctlogThreshold,
    timestampThreshold: args.timestampThreshold,
  });
  const policy = {};
  const san = sanPolicy(args);
  if (san !== undefined) policy.subjectAlternativeName = san;
  if (args.certIssuer !== undefined) policy.extensions = { issuer: args.certIssuer };
  const signer = verifier.verify(entity, policy);
  const identity = signer.identity || {};
  return {
    ok: true,
    mediaType: bundle.mediaType,
    content: isDSSE ? 'dsseEnvelope' : 'messageSignature',
    ...statement,
    san: identity.subjectAlternativeName || '',
    issuer: (identity.extensions && identity.extensions.issuer) || '',
    extensions: fulcioExtensions(identity),
    tlogEntries: entity.tlogEntries.length,
    timestamps: (verifier.verifiedTimestamps || []).map((t) => t.toISOString()),
  };
}

function errorText(e) {
  if (e && e.code && e.message) return `${e.code}: ${e.message}`;
  return e && e.message ? e.message : String(e);
}

function main() {
  let args, trustMaterial, bundleBytes, artifact;
  try {
    args = parseArgs(process.argv.slice(2));
    trustMaterial = loadTrustMaterial(args.trustedRoot);
    bundleBytes = readFile(args.bundle, 'bundle');
    artifact = readFile(args.artifact, 'artifact');
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, usage: true, error: errorText(e) }) + '\n');
    if (e instanceof UsageError) process.stderr.write(USAGE + '\n');
    process.exit(2);
  }
  let result;
  try {
    result = verify(args, trustMaterial, bundleBytes, artifact);
  } catch (e) {
    // Anything from here on is the bundle failing: malformed JSON, a bad proof, a policy miss.
    const out = { ok: false, error: errorText(e) };
    if (e && e.code) out.code = e.code;
    process.stdout.write(JSON.stringify(out) + '\n');
    process.exit(1);
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}

main();
