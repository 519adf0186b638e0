// as-pect config running only the crypto specs: npx asp -c tools/crypto/aspect.config.js
import base from "../../as-pect.config.js";
export default { ...base, entries: ["assembly/__tests__/crypto*.spec.ts"] };
