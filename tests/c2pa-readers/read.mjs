// Reads one image with an independent C2PA reader and prints one JSON line:
//   {"reader", "manifest", "valid", "signature", "trusted", "hardBinding", "codes": [...failures], "error"}
// Usage: node read.mjs c2pa-rs|c2pa-ts IMAGE TRUST_ANCHORS.pem
//   c2pa-rs: the reference implementation (c2pa-rs compiled to WebAssembly, @contentauth/c2pa-wasm), with the
//            anchors as its trust list.
//   c2pa-ts: @trustnxt/c2pa-ts (independent TypeScript); it checks the certificate profile but has no trust
//            list, so the chain to the anchors is checked here with @peculiar/x509 (the library it uses itself).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const [reader, imagePath, anchorsPath] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify({ reader, ...o }) + '\n');

try {
  const bytes = new Uint8Array(await readFile(imagePath));
  const anchorsPem = await readFile(anchorsPath, 'utf8');
  const mime = bytes[0] === 0x89 ? 'image/png' : 'image/jpeg';
  if (reader === 'c2pa-rs') out(await readWithC2paRs(bytes, mime, anchorsPem));
  else if (reader === 'c2pa-ts') out(await readWithC2paTs(bytes, anchorsPem));
  else throw new Error(`unknown reader ${reader}`);
} catch (e) {
  out({ manifest: false, valid: false, error: String(e?.message ?? e).split('\n')[0] });
}

async function readWithC2paRs(bytes, mime, anchorsPem) {
  const { initSync, WasmReader } = await import('@contentauth/c2pa-wasm');
  const require = createRequire(import.meta.url);
  initSync({ module: await readFile(require.resolve('@contentauth/c2pa-wasm/c2pa.wasm')) });
  const settings = { verify: { verify_trust: true }, trust: { trust_anchors: anchorsPem } };
  const r = await WasmReader.fromBytes(mime, bytes, JSON.stringify(settings));
  const store = JSON.parse(r.json());
  const results = store.validation_results?.activeManifest ?? {};
  const ok = (results.success ?? []).map((s) => s.code);
  const failures = (results.failure ?? []).map((s) => s.code);
  return {
    manifest: !!store.active_manifest,
    state: store.validation_state,
    // "Trusted": well-formed, signature valid, bindings intact, and the signer chains to a trust anchor.
    valid: store.validation_state === 'Trusted' && failures.length === 0,
    signature: ok.includes('claimSignature.validated'),
    trusted: ok.includes('signingCredential.trusted'),
    hardBinding: ok.includes('assertion.dataHash.match') && !failures.includes('assertion.dataHash.mismatch'),
    codes: failures,
  };
}

async function readWithC2paTs(bytes, anchorsPem) {
  const { JPEG, PNG } = await import('@trustnxt/c2pa-ts/asset');
  const { SuperBox } = await import('@trustnxt/c2pa-ts/jumbf');
  const { ManifestStore } = await import('@trustnxt/c2pa-ts/manifest');
  const x509 = await import('@peculiar/x509');
  const asset = PNG.canRead(bytes) ? new PNG(bytes) : new JPEG(bytes);
  const jumbf = asset.getManifestJUMBF();
  if (!jumbf) return { manifest: false, valid: false, codes: [] };
  const store = ManifestStore.read(SuperBox.fromBuffer(jumbf));
  const result = await store.validate(asset);
  const codes = result.statusEntries.map((e) => e.code);
  const failures = result.statusEntries.filter((e) => e.success === false).map((e) => e.code);
  const signature = store.getActiveManifest()?.signature?.signatureData;
  let trusted = false, trust = 'no signing certificate';
  if (signature?.certificate) {
    trust = undefined;
    const anchors = x509.PemConverter.decode(anchorsPem).map((der) => new x509.X509Certificate(der));
    const chain = await new x509.X509ChainBuilder({ certificates: [...signature.chainCertificates, ...anchors] }).build(signature.certificate);
    const root = chain[chain.length - 1];
    const anchored = chain.length > 1 && anchors.some((a) => a.equal(root));
    trusted = anchored && (await verifyLinks(chain));
    if (!trusted) trust = anchored ? 'a certificate in the chain does not verify' : `chain of ${chain.length} ends at ${root.subject}, not at an anchor`;
  }
  return {
    manifest: true,
    valid: result.isValid && trusted,
    signature: codes.includes('claimSignature.validated'),
    trusted,
    hardBinding: codes.includes('assertion.dataHash.match') && !failures.includes('assertion.dataHash.mismatch'),
    codes: failures,
    trust,
  };
}

async function verifyLinks(chain) {
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!(await chain[i].verify({ publicKey: chain[i + 1].publicKey, signatureOnly: true }))) return false;
  }
  return true;
}
