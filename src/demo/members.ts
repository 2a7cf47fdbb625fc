// The demo province's member register as a member-system export would carry it (the columns of
// src/members/columns.ts): for each branch its full and probationary members, with Chinese names, genders,
// ethnicities (mostly 汉族), birth dates, education, valid 身份证号 (the branch's county as the region, the birth date,
// the gender's parity and the check digit), joined and full dates, some 流动 and a few 出国出境 / 失联, phones.
//
// Deterministic: the same branches, day and seed give the same file, so a demo is the same on every first start and a
// benchmark imports the same rows every run. Imported through the real path (importMembers), so the demo's data is
// sealed, audited and counted as an import's is.
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { addDays, type IsoDate } from '../domain/dates.js';
import { withCheckDigit } from '../domain/members.js';
import { memberColumns, type MemberColumn } from '../members/columns.js';
import { prng, type OrganizationRow } from './province.js';

/** A register to fill: the branch by code, its sector (which shapes its members) and how many of each category. */
export interface RegisterBranch {
  code: string;
  sector: string;
  full: number;
  probationary: number;
  /** The branch's first member, when the demo names one (the member a demo user is linked to). */
  first?: { name: string; gender: 'male' | 'female' };
}

export type MemberFileRow = Record<MemberColumn, string>;

/** `n` members over a tree's branches, each branch's share by its typed full / probationary figures (exactly n in all). */
export function branchShares(rows: readonly OrganizationRow[], n: number): RegisterBranch[] {
  const branches = rows.filter((r) => r.type === 'branch');
  const weight = branches.reduce((s, r) => s + r.full_members + r.probationary_members, 0);
  let cum = 0;
  return branches.map((r) => {
    const from = Math.floor((n * cum) / weight);
    cum += r.full_members + r.probationary_members;
    const share = Math.floor((n * cum) / weight) - from;
    const probationary = Math.min(share, Math.round((share * r.probationary_members) / (r.full_members + r.probationary_members)));
    return { code: r.code, sector: r.sector, full: share - probationary, probationary };
  });
}

// Surnames by how common they are (the first ones most), given-name characters by the gender they are usual for.
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const MALE = '伟强军勇杰涛明超刚平辉鹏华建国志斌波峰磊飞鑫海林洪文宇浩俊德永庆生福贵兵成坤昌松涛新春光';
const FEMALE = '芳娜秀英敏静丽艳娟霞兰桂凤玲梅琴燕云莉萍红翠菊花珍慧莲洁琳婷雪晶月玉香';
const ETHNICITIES: [string, number][] = [
  ['汉族', 0.94],
  ['土家族', 0.03],
  ['苗族', 0.01],
  ['回族', 0.008],
  ['侗族', 0.006],
  ['满族', 0.003],
  ['蒙古族', 0.003],
];
const OCCUPATIONS: Record<string, string[]> = {
  rural: ['农民', '农民', '农民', '外出务工', '个体经营', '村干部', '退休', '乡村医生', '教师'],
  community: ['社区工作者', '退休', '退休', '个体经营', '企业职工', '教师', '医务人员', '物业服务'],
  government: ['公务员', '公务员', '科员', '副科长', '科长'],
  institution: ['教师', '医生', '护士', '专业技术人员', '管理人员'],
  soe: ['企业职工', '技术员', '工程师', '管理人员'],
  nonpublic: ['企业职工', '技术员', '销售', '管理人员'],
  social: ['社会组织工作人员', '志愿者', '社工'],
  university: ['教师', '学生', '学生', '管理人员', '辅导员'],
};

/** The region of a branch's 身份证号: its county's code (the first six digits), or its leading digits padded. */
export function regionOf(code: string): string {
  const digits = /^\d{1,6}/.exec(code)?.[0] ?? '42';
  return digits.padEnd(6, '0');
}

/** Rows of the members of `branches`, in branch order; a 身份证号 never repeats. */
export function* generateMembers(branches: Iterable<RegisterBranch>, today: IsoDate, seed = 7): Generator<MemberFileRow> {
  const rnd = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: ArrayLike<T>): T => xs[Math.floor(rnd() * xs.length)]!;
  const year = Number(today.slice(0, 4));
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  // The sequence of a 身份证号 is unique for its region and birth date; its last digit is odd for men.
  const issued = new Map<number, number>();
  const idNumber = (region: string, birth: IsoDate, gender: 'male' | 'female') => {
    const k = Number(region) * 1e8 + Number(birth.replaceAll('-', ''));
    const n = issued.get(k) ?? int(0, 40);
    issued.set(k, n + 1);
    const seq = (n * 2 + (gender === 'male' ? 1 : 0)) % 1000;
    return withCheckDigit(`${region}${birth.replaceAll('-', '')}${pad(seq, 3)}`);
  };
  const ethnicity = () => {
    let r = rnd();
    for (const [e, p] of ETHNICITIES) {
      r -= p;
      if (r < 0) return e;
    }
    return '汉族';
  };
  const education = (age: number, sector: string) => {
    const r = rnd();
    if (sector === 'government' || sector === 'university' || sector === 'institution') return r < 0.15 ? '硕士研究生' : r < 0.85 ? '大学本科' : '大专';
    if (age >= 60) return r < 0.35 ? '小学' : r < 0.75 ? '初中' : r < 0.95 ? '高中' : '大专';
    if (age >= 40) return r < 0.1 ? '小学' : r < 0.45 ? '初中' : r < 0.75 ? '高中' : r < 0.9 ? '大专' : '大学本科';
    return r < 0.15 ? '高中' : r < 0.25 ? '中专' : r < 0.6 ? '大专' : r < 0.95 ? '大学本科' : '硕士研究生';
  };
  const date = (y: number) => `${y}-${pad(int(1, 12))}-${pad(int(1, 28))}`;
  const phone = () => `1${pick('3578')}${int(0, 9)}${pad(int(0, 99_999_999), 8)}`;

  for (const b of branches) {
    const region = regionOf(b.code);
    const young = b.sector === 'government' || b.sector === 'institution' || b.sector === 'soe' || b.sector === 'nonpublic';
    const maleShare = b.sector === 'rural' ? 0.72 : 0.58;
    for (let i = 0; i < b.full + b.probationary; i++) {
      const probationary = i >= b.full;
      const named = i === 0 ? b.first : undefined;
      const gender = named?.gender ?? (rnd() < maleShare ? 'male' : 'female');
      const name = named?.name ?? pick(SURNAMES) + (rnd() < 0.2 ? '' : pick(gender === 'male' ? MALE : FEMALE)) + pick(gender === 'male' ? MALE : FEMALE);
      // Villages' members are older than organs' and firms'; a probationary member joined within the last year.
      const age = probationary ? int(20, 42) : young ? int(24, 59) : b.sector === 'university' ? int(21, 62) : int(24, 86);
      const birthDate = date(year - age - 1);
      let joinedOn: IsoDate;
      let fullOn = '';
      if (probationary) joinedOn = addDays(today, -int(20, 330));
      else {
        const joinAge = int(19, Math.min(age - 2, 50));
        joinedOn = date(Number(birthDate.slice(0, 4)) + joinAge);
        fullOn = `${Number(joinedOn.slice(0, 4)) + 1}${joinedOn.slice(4)}`;
      }
      const r = rnd();
      const away = b.sector === 'rural' ? 0.1 : b.sector === 'community' ? 0.04 : 0.01;
      const status = probationary ? '正常' : r < away ? '流动' : r < away + 0.004 ? '出国出境' : r < away + 0.007 ? '失联' : '正常';
      yield {
        姓名: name,
        性别: gender === 'male' ? '男' : '女',
        民族: ethnicity(),
        出生日期: birthDate,
        学历: education(age, b.sector),
        身份证号: idNumber(region, birthDate, gender),
        入党日期: joinedOn,
        转正日期: fullOn,
        人员类别: probationary ? '预备党员' : '正式党员',
        党组织编码: b.code,
        所在党组织: '',
        联系电话: rnd() < 0.9 ? phone() : '',
        工作岗位: status === '流动' ? '外出务工' : pick(OCCUPATIONS[b.sector] ?? OCCUPATIONS.rural!),
        党员状态: status,
      };
    }
  }
}

/** The rows as the CSV file (UTF-8, the export's header) a member import reads. */
export function memberFile(rows: Iterable<MemberFileRow>): Readable {
  return Readable.from(rows).pipe(stringify({ header: true, columns: [...memberColumns] }));
}
