import { readFileSync, writeFileSync } from 'node:fs';
import { diagramDocument, readmeWithDiagram } from '../qa/diagram.ts';

/**
 * `npm run diagram`: writes the booking machine's Mermaid diagram to docs/booking-machine.md and
 * into README.md's "The booking machine" section, and prints it.
 */
const document = diagramDocument();
writeFileSync('docs/booking-machine.md', document);
writeFileSync('README.md', readmeWithDiagram(readFileSync('README.md', 'utf8')));
console.log(document);
console.log('written to docs/booking-machine.md and README.md');
