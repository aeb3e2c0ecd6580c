export default async function globalTeardown() {
  const handle = (globalThis as any).__EVARCHIVE_EMBEDDED__;
  if (handle?.owned) await handle.stop();
}
