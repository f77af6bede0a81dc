import { maskIdNumber } from '@sunshine/common';
import { maskPhone } from '@sunshine/views';
import type { NoticeContent } from './notice-diff';

// an 18-character resident ID number (17 digits and a digit or X) not inside a longer run of digits
const ID_NUMBER = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
// a mainland mobile number, 11 digits starting 13–19, not inside a longer run of digits
const MOBILE = /(?<!\d)1[3-9]\d{9}(?!\d)/g;

/** Masks every ID number and mobile number in a text; returns the text and how many it masked. */
export function maskPersonalData(text: string): { text: string; masked: number } {
  let masked = 0;
  const out = text
    .replace(ID_NUMBER, (m) => {
      masked += 1;
      return maskIdNumber(m);
    })
    .replace(MOBILE, (m) => {
      masked += 1;
      return maskPhone(m);
    });
  return { text: out, masked };
}

/** The privacy scan every notice version passes before it is stored: nothing unmasked reaches the public. */
export function maskNoticeContent(c: NoticeContent): { content: NoticeContent; masked: number } {
  let masked = 0;
  const m = (s: string): string => {
    const r = maskPersonalData(s);
    masked += r.masked;
    return r.text;
  };
  const content: NoticeContent = {
    title: m(c.title),
    body: m(c.body),
    fields: c.fields.map((x) => ({ key: x.key, label: m(x.label), value: m(x.value) })),
  };
  return { content, masked };
}

/** True when a text still holds an unmasked ID or mobile number (the public site's scan uses it). */
export function holdsPersonalData(text: string): boolean {
  return maskPersonalData(text).masked > 0;
}
