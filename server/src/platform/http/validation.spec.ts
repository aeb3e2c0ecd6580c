import { Type } from 'class-transformer';
import { IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { ValidationError } from '../errors/errors';
import { createValidationPipe, fieldProblems } from './validation';

class Line {
  @IsInt()
  @Min(1)
  qty: number;
}

class Order {
  @IsString()
  name: string;

  @ValidateNested({ each: true })
  @Type(() => Line)
  lines: Line[];
}

describe('createValidationPipe', () => {
  const pipe = createValidationPipe();
  const meta = { type: 'body' as const, metatype: Order };

  test('valid input is transformed into the DTO class', async () => {
    const out = await pipe.transform({ name: '办公用品', lines: [{ qty: 2 }] }, meta);
    expect(out).toBeInstanceOf(Order);
    expect(out.lines[0]).toBeInstanceOf(Line);
  });

  test('every bad field is named by its path, unknown fields included', async () => {
    const err = await pipe.transform({ name: 5, lines: [{ qty: 1 }, { qty: 0 }], note: 'x' }, meta).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.code).toBe('invalid_input');
    // class-validator reports unknown properties first, then the declared ones in declaration order.
    expect(err.details.fields).toEqual([
      { field: 'note', problems: ['property note should not exist'] },
      { field: 'name', problems: ['name must be a string'] },
      { field: 'lines.1.qty', problems: ['qty must not be less than 1'] },
    ]);
    expect(err.message).toBe(
      'invalid input: note: property note should not exist; name: name must be a string; lines.1.qty: qty must not be less than 1',
    );
  });

  test('fieldProblems of no errors is empty', () => {
    expect(fieldProblems([])).toEqual([]);
  });
});
