// The documented device face: the only exports a release module (build/<board>/glasses.wasm) may have.
// tests/abi.test.ts fails when a board's release exports anything else, or misses one of these. Adding an
// export to assembly/device/api.ts means adding it here, with what it is for. Test hooks (injecting a QR
// text, a keyword or a policy change without the wearer) and raw kernels never belong here: they live in
// assembly/device/testhooks.ts and the engines' exports.ts, in the test build only.
export const DEVICE_FACE: Record<string, string> = {
  // setup
  configBuffer: "where the host writes the board config record for init()",
  secretBuffer: "where the host writes the device secret",
  setDeviceSecret: "hand over the device secret (16–64 bytes)",
  init: "initialise with the board config record",
  // camera, mic, display, buttons, time
  frameBuffer: "camera frame buffer",
  frameBufferBytes: "capacity of frameBuffer() in bytes",
  onFrame: "a camera frame is in frameBuffer()",
  audioBuffer: "microphone buffer (int16 samples)",
  AUDIO_MAX_SAMPLES: "capacity of audioBuffer() in samples",
  onAudio: "n samples are in audioBuffer()",
  enrollBegin: "start enrolling the owner's voice",
  enrollAdd: "add the clip in audioBuffer() to the enrolment",
  enrollFinish: "finish the enrolment and store the voice profile",
  ownerEnrolled: "1 when an owner's voice profile is stored",
  codeWordIndexOf: "index of the code word whose name (UTF-8) is in audioBuffer(), -1 if none (for enrolment folders)",
  hudBuffer: "the HUD framebuffer",
  hudDirty: "true once after the HUD changed",
  onButton: "a hardware button was pressed",
  tick: "time passes (deadlines)",
  // link to the phone
  linkRxBuffer: "where the host writes a received link fragment",
  LINK_BUFFER: "capacity of the link buffers in bytes",
  onLinkRx: "a link fragment is in linkRxBuffer()",
  linkTxBuffer: "the next fragment to send",
  linkTx: "length of the next fragment to send (0: none)",
  // payment session
  payBegin: "the wearer starts a payment (scanning)",
  payState: "the session state (host/generated/abi.ts SESSION_STATES)",
  pairBegin: "the wearer opens pairing mode (60 s)",
  unpairBegin: "the wearer asks to unpair (confirmed with the spoken code, then everything is wiped)",
  setLimit: "policy change, asked of the wearer on the glasses",
  openMandate: "an agent mandate to show and ask",
  onAgentRequest: "a payment request under a mandate",
  queryRecent: "ask the phone for recent payments",
  statePersisted: "the host has stored the state blob of this generation",
  // events
  eventBuffer: "where nextEvent() puts an event record",
  nextEvent: "length of the next event record (0: none)",
  // sealed state
  stateSave: "seal the state; its length",
  stateBlob: "the sealed state",
  stateInBuffer: "where the host writes a stored state",
  loadState: "restore a stored state",
  stateGeneration: "the generation of the loaded/saved state",
  stateAnchor: "the host's monotonic anchor: older states are refused from now on",
  // counters
  framesSeen: "frames seen since init",
  samplesSeen: "audio samples seen since init",
};

/** What WASI needs besides the device face. */
export const WASI_EXPORTS = ["memory", "_start"];
