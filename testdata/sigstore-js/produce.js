#!/usr/bin/env node
// produce.js: makes a GitHub-shaped build-provenance bundle with sigstore-js, signed keyless
// against @sigstore/mock's Fulcio and timestamp authority running in this process (nock
// intercepts sigstore-js' HTTP calls; no port is opened and nothing leaves the process). It is
// releaser's independent *producer*: releaser's verifier (sigstore-go) must accept what comes
// out, and reject it once tampered with.
//
// The shape is GitHub's private-repository one: Fulcio certificate (with an embedded SCT from the
// mock CT log) + one RFC 3161 timestamp, no transparency log. The mock Rekor is not used: it
// logs the proposed entry instead of Rekor's canonical one, which sigstore-js' own verifier
// rejects.
//
// Usage and exit codes: see USAGE below and README.md. Exactly one JSON object is printed on
// stdout in every case.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const nock = require('nock');
const { TrustedRoot, HashAlgorithm, PublicKeyDetails } = require('@sigstore/protobuf-specs');
const { fulcioHandler, initializeCA, initializeCTLog, initializeTSA, tsaHandler } = require('@sigstore/mock');
const sigstore = require('sigstore');

const USAGE = `usage: node produce.js --out DIR --artifact FILE [--artifact FILE ...]
         [--subject-name NAME] [--repository OWNER/NAME] [--ref REF] [--workflow FILE]
         [--sha HEX] [--claims FILE]

Signs an in-toto statement (SLSA provenance v1, as actions/attest-build-provenance writes it)
whose subjects are the artifacts' sha256, with sigstore-js against @sigstore/mock's Fulcio and
TSA in this process. Writes DIR/bundle.json and DIR/trusted_root.json.
  --out DIR            output directory (created if missing)
  --artifact FILE      a subject (name = basename, digest = sha256); may be repeated
  --subject-name NAME  subject name for a single --artifact instead of its basename
  --repository O/N     claim repository (default octo-org/widget)
  --ref REF            claim ref (default refs/tags/v1.2.3)
  --workflow FILE      workflow file under .github/workflows (default release.yml)
  --sha HEX            claim sha, the tagged commit (default a fixed 40-hex value)
  --claims FILE        JSON object of ID token claims merged over the ones derived above
                       (e.g. {"job_workflow_ref": "...", "runner_environment": "self-hosted"})
Exit 0: prints {"ok":true,"certIdentity":SAN,"certIssuer":ISSUER,...}.
Exit 1: signing failed, prints {"ok":false,"error":...}.
Exit 2: usage error or unreadable input, prints {"ok":false,"usage":true,"error":...}.`;

const SERVER_URL = 'https://github.com'; // @sigstore/mock derives its extensions from github.com
const ISSUER = 'https://token.actions.githubusercontent.com';
const FULCIO_URL = 'https://fulcio.sigstore.mock';
const TSA_URL = 'https://tsa.sigstore.mock';
const CTLOG_URL = 'https://ctfe.sigstore.mock';
const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';
const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
// The mock Fulcio takes the certificate's URI SAN from this claim; GitHub's Fulcio builds it
// from job_workflow_ref, so the claim is set to exactly that.
const SAN_CLAIM = 'san';

class UsageError extends Error {}

function parseArgs(argv) {
  const single = {
    '--out': 'out',
    '--subject-name': 'subjectName',
    '--repository': 'repository',
    '--ref': 'ref',
    '--workflow': 'workflow',
    '--sha': 'sha',
    '--claims': 'claims',
  };
  const args = { artifacts: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '-h' || flag === '--help') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    }
    if (flag !== '--artifact' && !single[flag]) throw new UsageError(`unknown argument ${JSON.stringify(flag)}`);
    if (i + 1 >= argv.length) throw new UsageError(`${flag} needs a value`);
    const value = argv[++i];
    if (flag === '--artifact') {
      args.artifacts.push(value);
      continue;
    }
    if (single[flag] in args) throw new UsageError(`${flag} given twice`);
    args[single[flag]] = value;
  }
  if (!args.out) throw new UsageError('--out is required');
  if (args.artifacts.length === 0) throw new UsageError('--artifact is required');
  if (args.subjectName !== undefined && args.artifacts.length !== 1) {
    throw new UsageError('--subject-name needs exactly one --artifact');
  }
  if (args.repository !== undefined && !/^[^/\s]+\/[^/\s]+$/.test(args.repository)) {
    throw new UsageError('--repository must be OWNER/NAME');
  }
  if (args.sha !== undefined && !/^[0-9a-f]{40}$/.test(args.sha)) {
    throw new UsageError('--sha must be 40 lowercase hex digits');
  }
  return args;
}

function readFile(file, what) {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new UsageError(`reading ${what} ${file}: ${e.message}`);
  }
}

// The claims of a GitHub Actions ID token with audience "sigstore" for a tag push; Fulcio (and
// the mock) turn them into the certificate extensions.
function buildClaims(args) {
  const repository = args.repository || 'octo-org/widget';
  const ref = args.ref || 'refs/tags/v1.2.3';
  const sha = args.sha || '5e1f2c3d4b5a69788796a5b4c3d2e1f0a1b2c3d4';
  const workflowRef = `${repository}/.github/workflows/${args.workflow || 'release.yml'}@${ref}`;
  const now = Math.floor(Date.now() / 1000);
  let claims = {
    iss: ISSUER,
    aud: 'sigstore',
    sub: `repo:${repository}:ref:${ref}`,
    jti: crypto.randomUUID(),
    iat: now,
    nbf: now,
    exp: now + 300,
    ref,
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    sha,
    repository,
    repository_owner: repository.split('/')[0],
    repository_id: '123456789',
    repository_owner_id: '987654321',
    repository_visibility: 'public',
    workflow: 'release',
    workflow_ref: workflowRef,
    workflow_sha: sha,
    job_workflow_ref: workflowRef,
    job_workflow_sha: sha,
    event_name: 'push',
    run_id: '4242424242',
    run_number: '7',
    run_attempt: '1',
    runner_environment: 'github-hosted',
  };
  if (args.claims !== undefined) {
    let extra;
    try {
      extra = JSON.parse(readFile(args.claims, 'claims').toString('utf8'));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`parsing claims ${args.claims}: ${e.message}`);
    }
    if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) {
      throw new UsageError(`claims ${args.claims} must hold a JSON object`);
    }
    claims = { ...claims, ...extra };
  }
  if (!(SAN_CLAIM in claims)) claims[SAN_CLAIM] = `${SERVER_URL}/${claims.job_workflow_ref}`;
  return claims;
}

// The mock decodes the token without verifying it, so an unsigned JWT is enough.
function unsignedJWT(claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

// The statement in the exact key order of actions/toolkit's provenance.ts (reference §1.2).
function buildStatement(subjects, c) {
  const repoURL = `${SERVER_URL}/${c.repository}`;
  const workflowPrefix = `${c.repository}/`;
  let workflowPath = String(c.workflow_ref);
  if (workflowPath.startsWith(workflowPrefix)) workflowPath = workflowPath.slice(workflowPrefix.length);
  workflowPath = workflowPath.split('@')[0];
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: subjects.map((s) => ({ name: s.name, digest: { sha256: s.sha256 } })),
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        externalParameters: {
          workflow: { ref: c.ref, repository: repoURL, path: workflowPath },
        },
        internalParameters: {
          github: {
            event_name: c.event_name,
            repository_id: c.repository_id,
            repository_owner_id: c.repository_owner_id,
            runner_environment: c.runner_environment,
          },
        },
        resolvedDependencies: [{ uri: `git+${repoURL}@${c.ref}`, digest: { gitCommit: c.sha } }],
      },
      runDetails: {
        builder: { id: `${SERVER_URL}/${c.job_workflow_ref}` },
        metadata: {
          invocationId: `${repoURL}/actions/runs/${c.run_id}/attempts/${c.run_attempt}`,
        },
      },
    },
  };
}

function ecKeyPair() {
  return crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

function spki(keyObject) {
  return keyObject.export({ format: 'der', type: 'spki' });
}

function der(view) {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

// Trusted root in sigstore's trustedroot format, with validity starting before any of the keys
// or certificates existed so that every time they produce falls inside it.
function buildTrustedRoot({ ca, ctlogKey, tsa, start }) {
  const ctPub = spki(ctlogKey.publicKey);
  const root = TrustedRoot.toJSON({
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: [],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: FULCIO_URL,
        certChain: { certificates: [{ rawBytes: der(ca.rootCertificate) }] },
        validFor: { start },
      },
    ],
    ctlogs: [
      {
        baseUrl: CTLOG_URL,
        hashAlgorithm: HashAlgorithm.SHA2_256,
        publicKey: {
          rawBytes: ctPub,
          keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
          validFor: { start },
        },
        logId: { keyId: crypto.createHash('sha256').update(ctPub).digest() },
      },
    ],
    timestampAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'tsa' },
        uri: `${TSA_URL}/api/v1/timestamp`,
        // leaf (the mock calls it "intermediate": it carries the timeStamping EKU), then root
        certChain: {
          certificates: [{ rawBytes: der(tsa.intCertificate) }, { rawBytes: der(tsa.rootCertificate) }],
        },
        validFor: { start },
      },
    ],
  });
  return root;
}

function mount(base, handler) {
  nock(base)
    .post(handler.path)
    .reply(async (_uri, body) => {
      const req = typeof body === 'string' ? body : JSON.stringify(body);
      const { statusCode, response, contentType } = await handler.fn(req);
      return [statusCode, response, { 'Content-Type': contentType || 'text/plain' }];
    });
}

async function produce(args, subjects, claims) {
  // Whole seconds: X.509 validity is encoded in seconds, and sigstore-go compares with it.
  const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
  const ctlogKey = ecKeyPair();
  const ctlog = await initializeCTLog(ctlogKey);
  const ca = await initializeCA(ecKeyPair(), ctlog);
  const tsa = await initializeTSA(ecKeyPair());

  // Nothing but the two mocks may be reached; a stray request fails instead of leaving the machine.
  nock.disableNetConnect();
  mount(FULCIO_URL, fulcioHandler(ca, { strict: true, subjectClaim: SAN_CLAIM }));
  mount(TSA_URL, tsaHandler(tsa, { strict: true }));

  const statement = buildStatement(subjects, claims);
  const payload = Buffer.from(JSON.stringify(statement));
  const bundle = await sigstore.attest(payload, IN_TOTO_PAYLOAD_TYPE, {
    fulcioURL: FULCIO_URL,
    tsaServerURL: TSA_URL,
    tlogUpload: false,
    identityToken: unsignedJWT(claims),
    retry: { retries: 0 },
    timeout: 10000,
  });
  if (!nock.isDone()) throw new Error(`mock endpoints not called: ${nock.pendingMocks().join(', ')}`);

  fs.mkdirSync(args.out, { recursive: true });
  const bundlePath = path.join(args.out, 'bundle.json');
  const rootPath = path.join(args.out, 'trusted_root.json');
  fs.writeFileSync(bundlePath, JSON.stringify(bundle) + '\n');
  fs.writeFileSync(rootPath, JSON.stringify(buildTrustedRoot({ ca, ctlogKey, tsa, start }), null, 2) + '\n');
  return {
    ok: true,
    bundle: bundlePath,
    trustedRoot: rootPath,
    certIdentity: claims[SAN_CLAIM],
    certIssuer: claims.iss,
    subjects,
    claims: Object.fromEntries(
      Object.entries(claims).filter(([k]) => !['aud', 'jti', 'iat', 'nbf', 'exp', SAN_CLAIM].includes(k)),
    ),
  };
}

function errorText(e) {
  if (e && e.code && e.message) return `${e.code}: ${e.message}${e.cause ? ` (${e.cause.message || e.cause})` : ''}`;
  return e && e.message ? e.message : String(e);
}

async function main() {
  let args, subjects, claims;
  try {
    args = parseArgs(process.argv.slice(2));
    subjects = args.artifacts.map((file) => ({
      name: args.subjectName !== undefined ? args.subjectName : path.basename(file),
      sha256: crypto.createHash('sha256').update(readFile(file, 'artifact')).digest('hex'),
    }));
    claims = buildClaims(args);
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, usage: true, error: errorText(e) }) + '\n');
    if (e instanceof UsageError) process.stderr.write(USAGE + '\n');
    process.exit(2);
  }
  let result;
  try {
    result = await produce(args, subjects, claims);
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, error: errorText(e) }) + '\n');
    process.exit(1);
  }
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}

main();
