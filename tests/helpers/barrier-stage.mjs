// A controllable fake stage for tests: `node barrier-stage.mjs NAME [OUT]` writes `barrier/NAME.started`,
// waits until the test creates `barrier/NAME.release`, appends NAME to `counter`, writes OUT, and exits.
import fs from 'node:fs';
const [name, out] = process.argv.slice(2);
fs.mkdirSync('barrier', { recursive: true });
fs.writeFileSync(`barrier/${name}.started`, String(process.pid));
const release = `barrier/${name}.release`;
while (!fs.existsSync(release)) await new Promise((r) => setTimeout(r, 20));
fs.appendFileSync('counter', `${name}\n`);
if (out) fs.writeFileSync(out, `${name} output\n`);
