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

export interface DemoShape {
  cities: number;
  countiesPerCity: number;
  townshipsPerCounty: number;
  villagesPerTownship: number;
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
  const phone = () => `13${Math.floor(rnd() * 1e9).toString().padStart(9, '0')}`;
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

  yield row('42', '', '中共湖北省委员会', 'committee', 'regional', 5);
  for (let c = 0; c < shape.cities; c++) {
    const city = `42${String(c + 1).padStart(2, '0')}`;
    const cityName = CITIES[c % CITIES.length]!;
    yield row(city, '42', `中共${cityName}市委员会`, 'committee', 'regional', 5);
    for (let k = 0; k < shape.countiesPerCity; k++) {
      const county = `${city}${String(k + 1).padStart(2, '0')}`;
      const countyName = `${place()}县`;
      yield row(county, city, `中共${cityName}市${countyName}委员会`, 'committee', 'regional', 5);
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
      }
    }
  }
}
