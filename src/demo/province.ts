import { addMonths, type IsoDate } from '../domain/dates.js';

/** One row in the import format of contract.md. */
export interface OrganizationRow {
  code: string;
  parent_code: string;
  name: string;
  type: 'committee' | 'general_branch' | 'branch' | 'unit';
  sector: string;
  term_years: number | null;
  term_started_on: IsoDate | null;
  secretary_name: string;
  secretary_phone: string;
  full_members: number;
  probationary_members: number;
}

/** Small deterministic PRNG (mulberry32): the same seed gives the same province. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文斌';
const CITIES = ['武汉', '黄石', '十堰', '宜昌', '襄阳', '鄂州', '荆门', '孝感', '荆州', '黄冈', '咸宁', '随州', '恩施', '仙桃', '潜江', '天门', '神农架'];
const PLACE = '东西南北新安平和兴丰龙凤金石桥河山湖青白红柳杨花岭塘湾坪冲畈岗';
const ORGANS = ['组织部', '宣传部', '财政局', '教育局', '卫生健康局', '农业农村局'];
const SOE_TRADES = ['城市建设投资集团', '交通投资集团', '水务集团'];
const FIRM_TRADES = '科技商贸建材农业物流电子服装食品机械化工';
const SOCIAL = ['商会', '行业协会', '志愿者协会', '养老服务中心', '社会工作服务站'];
const INSTITUTIONS = ['中心学校', '卫生院', '农业技术推广站', '文化站'];

export interface DemoShape {
  cities: number;
  countiesPerCity: number;
  townshipsPerCounty: number;
  villagesPerTownship: number;
  /**
   * Sector organizations (organs, SOEs, universities, institutions, non-public firms, social organizations,
   * units without an organization) per township; 0 keeps the demo's villages-only province.
   */
  sectorPerTownship?: number;
}

/** Rows of a province of `shape`, before truncation. */
export function provinceSize(shape: DemoShape): number {
  const k = shape.sectorPerTownship ?? 0;
  const sectorPerCounty = k > 0 ? 1 + 6 + 1 + 3 : 0;
  const sectorPerCity = k > 0 ? 1 + 4 * 4 : 0;
  const perTownship = 1 + shape.villagesPerTownship + 1 + k;
  const perCounty = 1 + sectorPerCounty + shape.townshipsPerCounty * perTownship;
  return 1 + shape.cities * (1 + sectorPerCity + shape.countiesPerCity * perCounty);
}

/**
 * A shape of about `n` rows like Hubei's (domain.md §2): 17 prefectures, ~100 counties, ~1,200 townships,
 * ~24 villages and communities each; past ~40,000 rows the rest are sector organizations, which is where a
 * province's 150,000–200,000 organizations mostly are.
 */
export function shapeFor(n: number): DemoShape {
  const full: DemoShape = { cities: 17, countiesPerCity: 6, townshipsPerCounty: 12, villagesPerTownship: 24, sectorPerTownship: 5 };
  const base = provinceSize(full);
  if (n >= base) {
    const townships = full.cities * full.countiesPerCity * full.townshipsPerCounty;
    return { ...full, sectorPerTownship: full.sectorPerTownship! + Math.ceil((n - base) / townships) };
  }
  const f = Math.sqrt(n / base);
  const shape = {
    cities: 17,
    countiesPerCity: Math.max(1, Math.round(6 * f)),
    townshipsPerCounty: Math.max(1, Math.round(12 * f)),
    villagesPerTownship: Math.max(1, Math.round(24 * f)),
    sectorPerTownship: Math.max(1, Math.round(5 * f)),
  };
  // Rounding can fall short of n; generateRows cuts the surplus.
  while (provinceSize(shape) < n) shape.villagesPerTownship++;
  return shape;
}

/** Exactly `n` rows (parents always before children, so any prefix is a valid file). */
export function* generateRows(n: number, today: IsoDate, seed = 42): Generator<OrganizationRow> {
  let i = 0;
  if (n <= 0) return;
  for (const row of generateProvince(shapeFor(n), today, seed)) {
    yield row;
    if (++i >= n) return;
  }
}

/**
 * A province in the import format: committees down to township level, village and community branches below
 * them, terms spread so that some have already ended and some end within the next months. `today` anchors the
 * spread so a demo always has work due.
 */
export function* generateProvince(shape: DemoShape, today: IsoDate, seed = 42): Generator<OrganizationRow> {
  const rnd = prng(seed);
  const pick = (s: string) => s[Math.floor(rnd() * s.length)]!;
  const person = () => pick(SURNAMES) + pick(GIVEN) + (rnd() < 0.5 ? pick(GIVEN) : '');
  const phone = () =>
    `13${Math.floor(rnd() * 1e9)
      .toString()
      .padStart(9, '0')}`;
  const place = () => pick(PLACE) + pick(PLACE);
  const termStart = (years: number) => addMonths(today, -Math.floor(rnd() * (years * 12 + 6)) + 0);
  const row = (code: string, parent: string, name: string, type: OrganizationRow['type'], sector: string, years: number | null): OrganizationRow => ({
    code,
    parent_code: parent,
    name,
    type,
    sector,
    term_years: years,
    term_started_on: years ? termStart(years) : null,
    secretary_name: type === 'unit' ? '' : person(),
    secretary_phone: type === 'unit' ? '' : phone(),
    full_members: type === 'unit' ? Math.floor(rnd() * 4) : 10 + Math.floor(rnd() * 90),
    probationary_members: type === 'unit' ? 0 : Math.floor(rnd() * 5),
  });

  // Rows built inside callbacks wait here until the generator can yield them.
  const pending: OrganizationRow[] = [];
  const yield_ = (r: OrganizationRow) => pending.push(r);
  yield row('42', '', '中共湖北省委员会', 'committee', 'regional', 5);
  for (let c = 0; c < shape.cities; c++) {
    const city = `42${String(c + 1).padStart(2, '0')}`;
    const cityName = CITIES[c % CITIES.length]!;
    yield row(city, '42', `中共${cityName}市委员会`, 'committee', 'regional', 5);
    const k0 = shape.sectorPerTownship ?? 0;
    if (k0 > 0) {
      const uni = `${city}X01`;
      yield row(uni, city, `中共${cityName}${pick('理工文师范医农')}学院委员会`, 'committee', 'university', 5);
      for (let g = 0; g < 4; g++) {
        const college = `${uni}${g + 1}`;
        yield row(college, uni, `中共${cityName}学院第${g + 1}学院总支部委员会`, 'general_branch', 'university', 3);
        for (let b = 0; b < 3; b++) yield row(`${college}${b + 1}`, college, `${cityName}学院第${g + 1}学院第${b + 1}党支部`, 'branch', 'university', 3);
      }
    }
    for (let k = 0; k < shape.countiesPerCity; k++) {
      const county = `${city}${String(k + 1).padStart(2, '0')}`;
      const countyName = `${place()}县`;
      yield row(county, city, `中共${cityName}市${countyName}委员会`, 'committee', 'regional', 5);
      if (k0 > 0) {
        const organs = `${county}G00`;
        yield row(organs, county, `中共${countyName}直属机关工作委员会`, 'committee', 'government', 5);
        for (const [i, o] of ORGANS.entries()) yield_(row(`${organs}${i + 1}`, organs, `中共${countyName}${o}机关支部委员会`, 'branch', 'government', 3));
        const soe = `${county}S00`;
        yield row(soe, county, `中共${countyName}${SOE_TRADES[k % SOE_TRADES.length]}有限公司委员会`, 'committee', 'soe', 5);
        for (let b = 0; b < 3; b++) yield_(row(`${soe}${b + 1}`, soe, `${countyName}国企第${b + 1}党支部`, 'branch', 'soe', 3));
        yield* pending.splice(0);
      }
      for (let t = 0; t < shape.townshipsPerCounty; t++) {
        const township = `${county}${String(t + 1).padStart(3, '0')}`;
        const townshipName = `${place()}${t % 4 === 3 ? '街道' : '镇'}`;
        yield row(township, county, `中共${countyName}${townshipName}委员会`, 'committee', 'regional', 5);
        for (let v = 0; v < shape.villagesPerTownship; v++) {
          const village = `${township}${String(v + 1).padStart(3, '0')}`;
          const community = t % 4 === 3 || v % 7 === 6;
          const villageName = `${place()}${community ? '社区' : '村'}`;
          yield row(village, township, `中共${townshipName}${villageName}支部委员会`, 'branch', community ? 'community' : 'rural', 5);
        }
        yield row(`${township}U01`, township, `${place()}${pick('科技商贸建材农业')}有限公司`, 'unit', 'nonpublic', null);
        for (let f = 0; f < k0; f++) {
          const code = `${township}F${String(f + 1).padStart(3, '0')}`;
          const kind = f % 20;
          if (kind < 8) yield row(code, township, `${place()}${pick(FIRM_TRADES)}${pick(FIRM_TRADES)}有限公司党支部`, 'branch', 'nonpublic', 3);
          else if (kind < 12) yield row(code, township, `${place()}${pick(FIRM_TRADES)}${pick(FIRM_TRADES)}有限公司`, 'unit', 'nonpublic', null);
          else if (kind < 15) yield row(code, township, `${townshipName}${INSTITUTIONS[f % INSTITUTIONS.length]}党支部`, 'branch', 'institution', 3);
          else if (kind < 17) yield row(code, township, `${townshipName}${SOCIAL[f % SOCIAL.length]}党支部`, 'branch', 'social', 3);
          else yield row(code, township, `${townshipName}${place()}${SOCIAL[f % SOCIAL.length]}`, 'unit', 'social', null);
        }
      }
    }
  }
}
