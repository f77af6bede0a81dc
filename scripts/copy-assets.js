// Copies non-TypeScript assets (Handlebars templates, CSS, JSON data) next to the compiled JavaScript in dist/.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const exts = new Set(['.hbs', '.css', '.json', '.svg', '.png']);
let copied = 0;
function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (exts.has(path.extname(entry.name))) {
      const target = path.join(root, 'dist', path.relative(root, full));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(full, target);
      copied += 1;
    }
  }
}
for (const top of ['apps', 'libs']) walk(path.join(root, top));
process.stdout.write(`copied ${copied} asset(s) to dist/\n`);
