import { FormatError } from '../errors';
import { concatBytes, writeZip } from '../zip';
import { dirOf, normalisePackagePath, openOfd, packageFromFiles, resolvePath, resolveRef } from './container';

const enc = new TextEncoder();
const dec = new TextDecoder();

function errorOf(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
  throw new Error('expected a FormatError');
}

describe('resolvePath (ST_Loc rules of ofd.md §1)', () => {
  it('resolves relative references against the directory of the referring file', () => {
    expect(resolvePath('Doc_0/Document.xml', 'Pages/Page_0/Content.xml')).toBe('Doc_0/Pages/Page_0/Content.xml');
    expect(resolvePath('Doc_0/Attachs/Attachments.xml', 'original_invoice.xml')).toBe('Doc_0/Attachs/original_invoice.xml');
    expect(resolvePath('OFD.xml', 'Doc_0/Document.xml')).toBe('Doc_0/Document.xml');
  });

  it('treats a leading slash as the package root', () => {
    expect(resolvePath('Doc_0/Signs/Signatures.xml', '/Doc_0/Signs/Sign_0/Signature.xml')).toBe('Doc_0/Signs/Sign_0/Signature.xml');
  });

  it('applies ./ and ../ (c5soft 6.2.003) and resolves against a directory base (resource BaseLoc)', () => {
    expect(resolvePath('OFD.xml', './Doc_0/Document.xml')).toBe('Doc_0/Document.xml');
    expect(resolvePath('Doc_0/Document.xml', '../Doc_0/Pages/Page_1/Content.xml')).toBe('Doc_0/Pages/Page_1/Content.xml');
    expect(resolvePath('Doc_0/Res/', 'image_10.bmp')).toBe('Doc_0/Res/image_10.bmp');
    expect(resolvePath('Doc_0\\Document.xml', 'Pages\\Page_0\\Content.xml')).toBe('Doc_0/Pages/Page_0/Content.xml');
  });

  it('refuses a reference that climbs above the package root', () => {
    const e = errorOf(() => resolvePath('Doc_0/Document.xml', '../../etc/passwd'));
    expect(e.code).toBe('unsafe_path');
    expect(e.message).toBe('Doc_0/../../etc/passwd: path climbs above the package root');
  });

  it('knows directories', () => {
    expect(dirOf('Doc_0/Pages/Page_0/Content.xml')).toBe('Doc_0/Pages/Page_0/');
    expect(dirOf('OFD.xml')).toBe('');
    expect(normalisePackagePath('/Doc_0//Pages/./Page_0/')).toBe('Doc_0/Pages/Page_0');
  });
});

describe('package lookup', () => {
  const pkg = packageFromFiles({
    'OFD.xml': enc.encode('<ofd:OFD/>'),
    'Doc_0/Images Fonts/image_10.bmp': enc.encode('spaces'),
    'Doc_0/Images&Fonts/image_12.jpg': enc.encode('ampersand'),
    'Doc_0/Signs/Sign_0/SignedValue.dat': enc.encode('sig'),
  });

  it('finds entries by exact, percent-decoded and case-insensitive path, with or without a leading slash', () => {
    expect(dec.decode(pkg.read('/Doc_0/Images Fonts/image_10.bmp'))).toBe('spaces');
    expect(dec.decode(pkg.read('Doc_0/Images%20Fonts/image_10.bmp'))).toBe('spaces');
    expect(dec.decode(pkg.read('Doc_0/Images%26Fonts/image_12.jpg'))).toBe('ampersand');
    expect(dec.decode(pkg.read('doc_0/signs/sign_0/signedvalue.dat'))).toBe('sig');
    expect(pkg.has('Doc_0/Signs/Sign_1/SignedValue.dat')).toBe(false);
  });

  it('names the missing entry', () => {
    const e = errorOf(() => pkg.read('/Doc_0/Signs/Sign_1/SignedValue.dat'));
    expect(e.code).toBe('missing_entry');
    expect(e.message).toBe('Doc_0/Signs/Sign_1/SignedValue.dat: entry not found in the OFD package');
  });

  it('resolveRef falls back to the root for producers that drop the leading slash', () => {
    expect(resolveRef(pkg, 'Doc_0/Signs/Signatures.xml', 'Doc_0/Signs/Sign_0/SignedValue.dat')).toBe('Doc_0/Signs/Sign_0/SignedValue.dat');
    expect(resolveRef(pkg, 'Doc_0/Signs/Signatures.xml', 'Sign_0/SignedValue.dat')).toBe('Doc_0/Signs/Sign_0/SignedValue.dat');
    expect(resolveRef(pkg, 'Doc_0/Signs/Signatures.xml', '../../../x')).toBeUndefined();
  });
});

describe('openOfd', () => {
  it('opens a ZIP with OFD.xml, lists files without directories, and tolerates bytes before the archive', () => {
    const zip = writeZip([
      { name: 'OFD.xml', data: '<ofd:OFD/>' },
      { name: 'Doc_0/', data: '' },
      { name: 'Doc_0/Document.xml', data: '<ofd:Document/>' },
    ]);
    const pkg = openOfd(concatBytes([enc.encode('JUNK'), zip]));
    expect(pkg.list()).toEqual(['OFD.xml', 'Doc_0/Document.xml']);
    expect(pkg.warnings).toEqual(['4 bytes before the ZIP archive were ignored']);
    expect(dec.decode(pkg.read('Doc_0/Document.xml'))).toBe('<ofd:Document/>');
  });

  it('says missing_entry for a ZIP without OFD.xml, and not_zip for other bytes', () => {
    expect(errorOf(() => openOfd(writeZip([{ name: 'a.txt', data: 'x' }])))).toMatchObject({ code: 'missing_entry', message: 'OFD.xml: not an OFD package: no OFD.xml entry at the package root' });
    expect(errorOf(() => openOfd(enc.encode('%PDF-1.4 …………………………………')))).toMatchObject({ code: 'not_zip' });
  });

  it('reports duplicate entry names (a tampering signal)', () => {
    const pkg = openOfd(writeZip([{ name: 'OFD.xml', data: '<a/>' }, { name: 'OFD.xml', data: '<b/>' }]));
    expect(pkg.duplicates).toEqual(['OFD.xml']);
  });
});
