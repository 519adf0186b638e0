// Test-only hooks of the test build (assembly/testbuild.ts), never in a release: they bypass a sensor or the
// wearer (e.g. inject a decoded QR text or a consent outcome). The session helper moves onQrText, onKeyword
// and setLimit's no-consent form here (interfaces.md C).
export const TESTHOOKS_VERSION: i32 = 1;
