import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CalendarDate, ClockTime, Language, type ShopConfig, WEEKDAYS } from '../../config/schema.ts';
import type { When, WhenReader } from '../interpreter/rules/when.ts';

/**
 * A date or time expression from a public test set, with the day and the time it names read at
 * `now` (a wall-clock instant in the corpus's own timezone). `time` lists every reading a
 * barber would accept: "a las 5" is 05:00 or 17:00 to a shop open all day.
 */
export const ExpressionLine = z
  .object({
    text: z.string().min(1),
    now: z.iso.datetime({ local: true }),
    language: Language,
    date: CalendarDate.optional(),
    time: z.array(ClockTime).min(1).optional(),
    /** Where the case comes from (file of the public test set). */
    source: z.string().min(1),
  })
  .strict()
  .refine((line) => line.date !== undefined || line.time !== undefined, 'names neither a day nor a time');
export type ExpressionLine = z.infer<typeof ExpressionLine>;

export function readExpressions(path: string): ExpressionLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((raw, index) => {
      if (raw.trim() === '') return [];
      const parsed = ExpressionLine.safeParse(JSON.parse(raw));
      if (!parsed.success)
        throw new Error(`${path}:${index + 1} is not an expression line:\n${z.prettifyError(parsed.error)}`);
      return [parsed.data];
    });
}

/**
 * The shop the expression sets are read by: in the corpus's own timezone (UTC) and open every
 * day, all day, so that no reading is refused for the shop's hours.
 */
export function allDayShop(shop: ShopConfig): ShopConfig {
  const allDay = [{ from: '00:00', to: '23:59' }];
  return {
    ...shop,
    timezone: 'UTC',
    openingHours: Object.fromEntries(WEEKDAYS.map((day) => [day, allDay])) as ShopConfig['openingHours'],
    dateOverrides: [],
  };
}

export type Outcome = 'right' | 'partly' | 'wrong' | 'nothing';

/** Right: the day and time named; partly: one of them and nothing false; wrong: a day or time that is not the one said. */
export function expressionOutcome(line: ExpressionLine, got: When): Outcome {
  if (got.date === undefined && got.time === undefined) return 'nothing';
  const dateRight = got.date === line.date;
  const timeRight = got.time === undefined ? line.time === undefined : (line.time?.includes(got.time) ?? false);
  if (dateRight && timeRight) return 'right';
  const falseDate = got.date !== undefined && got.date !== line.date;
  const falseTime = got.time !== undefined && !(line.time?.includes(got.time) ?? false);
  return falseDate || falseTime ? 'wrong' : 'partly';
}

/** Reads every expression with `read` and times each reading. */
export function readAll(lines: ExpressionLine[], read: WhenReader, shop: ShopConfig) {
  return lines.map((line) => {
    const started = performance.now();
    const got = read(line.text, shop, new Date(`${line.now}Z`), line.language);
    return { line, got, ms: performance.now() - started, outcome: expressionOutcome(line, got) };
  });
}
