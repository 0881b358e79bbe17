import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DIAGRAMS, diagramDocument, readmeWithDiagram } from '../qa/diagram.ts';

const USAGE = `Usage: npm run diagram -- [--write]
Prints the Mermaid diagrams of the booking and staff machines, generated from their definitions.
With --write, also writes them to docs/booking-machine.md and docs/staff-machine.md, and the
booking machine's into README.md's "The booking machine" section (tests/diagram.test.ts fails when
those no longer match the machines).`;

const { values } = parseArgs({ options: { write: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

for (const name of Object.keys(DIAGRAMS) as (keyof typeof DIAGRAMS)[]) {
  const document = diagramDocument(name);
  console.log(document);
  if (values.write) writeFileSync(DIAGRAMS[name].file, document);
}
if (values.write) {
  writeFileSync('README.md', readmeWithDiagram(readFileSync('README.md', 'utf8')));
  console.log(
    `written to ${Object.values(DIAGRAMS)
      .map((d) => d.file)
      .join(', ')} and README.md`,
  );
}
