import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { staffMachine } from '../machines/staff.machine.ts';
import { diagramDocument, mermaidDiagram, readmeWithDiagram } from '../src/qa/diagram.ts';
import { machineTransitions } from '../src/qa/transitions.ts';

describe('the booking machine diagram', () => {
  it('in docs/booking-machine.md matches the machine (run `npm run diagram -- --write` after changing it)', () => {
    expect(readFileSync('docs/booking-machine.md', 'utf8')).toBe(diagramDocument());
  });

  it('in README.md matches the machine (run `npm run diagram -- --write` after changing it)', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toBe(readmeWithDiagram(readme));
  });

  it('draws every transition that moves the customer, with its guard', () => {
    const diagram = mermaidDiagram();
    expect(diagram).toContain('choosingSlot --> holdingSlot : PICK_TIME [isOfferedTime]');
    const moving = machineTransitions().filter((t) => t.targets.length > 0);
    const arrows = diagram.split('\n').filter((line) => line.includes(' --> ') && !line.includes('[*]'));
    expect(arrows.length).toBe(moving.reduce((sum, t) => sum + t.targets.length, 0) + selfLoops());
  });
});

/** Targetless transitions of a state (not the root) are drawn as loops on that state. */
function selfLoops(): number {
  return machineTransitions().filter((t) => t.targets.length === 0 && t.source.parent !== undefined).length;
}

describe('the staff machine diagram', () => {
  it('in docs/staff-machine.md matches the machine (run `npm run diagram` after changing it)', () => {
    expect(readFileSync('docs/staff-machine.md', 'utf8')).toBe(diagramDocument('staff'));
  });

  it('draws every transition that moves the staff member, with its guard', () => {
    const diagram = mermaidDiagram(staffMachine);
    expect(diagram).toContain('showingAgenda --> choosingAction : PICK_APPOINTMENT [isInAgenda]');
    expect(diagram).toContain('checkingBlock --> decidingBlock : checkBlock done');
    const moving = machineTransitions(staffMachine).filter((t) => t.targets.length > 0);
    const arrows = diagram.split('\n').filter((line) => line.includes(' --> ') && !line.includes('[*]'));
    const loops = machineTransitions(staffMachine).filter((t) => t.targets.length === 0 && t.source.parent).length;
    expect(arrows.length).toBe(moving.reduce((sum, t) => sum + t.targets.length, 0) + loops);
  });
});
