import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { diagramDocument, readmeWithDiagram } from '../qa/diagram.ts';

const USAGE = `Usage: npm run diagram -- [--write]
Prints the booking machine's Mermaid diagram, generated from its definition. With --write, also
writes it to docs/booking-machine.md and into README.md's "The booking machine" section
(tests/diagram.test.ts fails when those no longer match the machine).`;

const { values } = parseArgs({ options: { write: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const document = diagramDocument();
console.log(document);
if (values.write) {
  writeFileSync('docs/booking-machine.md', document);
  writeFileSync('README.md', readmeWithDiagram(readFileSync('README.md', 'utf8')));
  console.log('written to docs/booking-machine.md and README.md');
}
