import { readFileSync, writeFileSync } from 'node:fs';
import { DIAGRAMS, diagramDocument, readmeWithDiagram } from '../qa/diagram.ts';

/**
 * `npm run diagram`: writes each machine's Mermaid diagram to docs/ (booking-machine.md,
 * staff-machine.md), the booking machine's also into README.md's "The booking machine" section,
 * and prints them.
 */
for (const name of Object.keys(DIAGRAMS) as (keyof typeof DIAGRAMS)[]) {
  const document = diagramDocument(name);
  writeFileSync(DIAGRAMS[name].file, document);
  console.log(document);
}
writeFileSync('README.md', readmeWithDiagram(readFileSync('README.md', 'utf8')));
console.log(
  `written to ${Object.values(DIAGRAMS)
    .map((d) => d.file)
    .join(', ')} and README.md`,
);
