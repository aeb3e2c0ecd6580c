import { VOUCHER_KINDS } from '../../formats/voucher';
import { ValidationError } from '../../platform/errors/errors';
import { parseListQuery } from './pool.service';

const refused = (q: Record<string, unknown>) => {
  try {
    parseListQuery(q);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return { message: (e as ValidationError).message, field: (e as ValidationError).details?.field };
  }
  throw new Error('expected a ValidationError');
};

// GET /api/pool/vouchers and `evarchive pool list --kind` share this parser: an unknown kind must not list nothing.
test('an unknown voucher kind is refused, naming the value and every kind there is', () => {
  expect(refused({ kind: 'nosuchkind' })).toEqual({ field: 'kind', message: `kind: expected one of ${VOUCHER_KINDS.join(', ')}, got "nosuchkind"` });
  expect(refused({ kind: 'INV_ORD' }).field).toBe('kind');
  expect(parseListQuery({ kind: ' einv_spcl ' }).kind).toBe('einv_spcl');
});
