/**
 * Normalisers of the travel invoices: 铁路电子客票 (rai) and 航空运输电子客票行程单 (atr).
 */
import type { Money, Voucher } from '../voucher';
import { checkShape, checkTotals, derive } from './checks';
import { addMoney, moneyEquals } from './money';

/**
 * Railway ticket: the printed 票价 (Fare) is the tax-inclusive total; on a refund (TypeOfBusiness 退) the same
 * element holds the 退票费, which is then also the refund fee.
 */
export function normaliseRailwayTicket(v: Voucher): Voucher {
  const x = v.extra;
  const fare = x.fare as Money | undefined;
  derive(v, 'totalAmount', fare);
  if (v.totalAmount === undefined && v.amountExTax !== undefined && v.taxAmount !== undefined)
    derive(v, 'totalAmount', addMoney(v.amountExTax, v.taxAmount));
  if (typeof x.businessType === 'string' && x.businessType.includes('退') && fare !== undefined) x.refundFee = fare;
  if (typeof x.departureStation === 'string' && typeof x.destinationStation === 'string')
    x.route = `${x.departureStation}→${x.destinationStation}`;
  checkShape(v, 'invoiceNumber', /^\d{20}$/, '20 digits');
  checkTotals(v);
  return v;
}

interface Segment {
  from?: string;
  to?: string;
  flight?: string;
}

/**
 * Air itinerary: 合计 = 票价 + 燃油附加费 + 增值税税额 + 民航发展基金 + 其他税费. There is no tax-exclusive total on
 * the itinerary, so amountExTax stays empty.
 */
export function normaliseAirItinerary(v: Voucher): Voucher {
  const x = v.extra;
  const segments = (x.segments as Segment[] | undefined) ?? [];
  const stops: string[] = [];
  for (const s of segments) {
    if (s.from && stops[stops.length - 1] !== s.from) stops.push(s.from);
    if (s.to) stops.push(s.to);
  }
  if (stops.length > 1) x.route = stops.join('→');
  const flights = segments.map((s) => s.flight).filter((f): f is string => !!f);
  if (flights.length) x.flights = [...new Set(flights)];
  const parts = [x.fare, x.fuelSurcharge, v.taxAmount, x.civilAviationDevelopmentFund, x.otherTaxes].filter((p): p is Money => typeof p === 'string');
  if (v.totalAmount !== undefined && x.fare !== undefined && parts.length >= 2) {
    const sum = addMoney(...parts);
    if (!moneyEquals(sum, v.totalAmount))
      v.warnings.push(`fare, fuel surcharge, VAT, CAAC development fund and other taxes add up to ${sum}, but totalAmount is ${v.totalAmount}`);
  }
  checkShape(v, 'invoiceNumber', /^\d{20}$/, '20 digits');
  return v;
}
