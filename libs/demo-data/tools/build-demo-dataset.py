import json, collections
src = json.load(open('/work/shared/data/demo-data.json'))
J = []
def j(code, name, level, parent): J.append({"code": code, "name": name, "level": level, "parentCode": parent})
j('450000','广西壮族自治区','province','000000'); j('450100','南宁市','city','450000')
nn = [('450102','兴宁区'),('450103','青秀区'),('450105','江南区'),('450107','西乡塘区'),('450108','良庆区'),('450109','邕宁区'),
      ('450110','武鸣区'),('450123','隆安县'),('450124','马山县'),('450125','上林县'),('450126','宾阳县'),('450127','横县')]
for c,n in nn: j(c,n,'county','450100')
towns = {
 '450124': [('101','古零镇'),('102','永州镇'),('103','金钗镇')],
 '450125': [('101','白圩镇'),('102','三里镇')],
 '450123': [('101','那桐镇'),('102','布泉乡')],
 '450109': [('101','蒲庙镇'),('102','那楼镇')],
 '450110': [('101','锣圩镇'),('102','两江镇'),('103','双桥镇'),('104','太平镇'),('105','罗波镇'),('106','陆斡镇'),('107','马头镇')],
 '450127': [('101','六景镇')], '450126': [('101','黎塘镇')],
}
villages = {'450124','450125','450123','450109'}
for county, ts in towns.items():
    for suf, name in ts:
        tc = county + suf; j(tc, name, 'township', county)
        if county in villages:
            for k, num in ((1,'一'),(2,'二')):
                j(f"{tc}{k:03d}", f"{name}演示村{num}", 'village', tc)
j('410000','河南省','province','000000'); j('411500','信阳市','city','410000')
xy = [('411502','浉河区'),('411503','平桥区'),('411521','罗山县'),('411522','光山县'),('411523','新县'),('411524','商城县'),('411526','潢川县'),('411527','淮滨县'),('411528','息县')]
for c,n in xy: j(c,n,'county','411500')
j('411523101','新县演示镇','township','411523'); j('411523101001','新县演示村一','village','411523101')
j('440000','广东省','province','000000'); j('440600','佛山市','city','440000'); j('440605','南海区','county','440600'); j('440605101','九江镇','township','440605')
j('440800','湛江市','city','440000')
for c,n in [('440823','遂溪县'),('440825','徐闻县'),('440881','廉江市'),('440882','雷州市')]: j(c,n,'county','440800')
j('445300','云浮市','city','440000')
for c,n in [('445321','新兴县'),('445322','郁南县'),('445381','罗定市')]: j(c,n,'county','445300')
j('440823101','遂溪县演示镇','township','440823'); j('440823101001','遂溪县演示村一','village','440823101')
j('445321101','新兴县演示镇','township','445321'); j('445321101001','新兴县演示村一','village','445321101')
pairings = [{"donorCode":"440600","recipientCode":"440800"},{"donorCode":"440600","recipientCode":"445300"}]
region_code = {r['code']: r.get('adcode') for r in src['regions']}
region_code.update({'ZJ-D01-V01':'440823101001','YF-D01-V01':'445321101001'})
cats = [{"code":c['code'],"name":c['name_zh'],"parentCode":c.get('parent')} for c in src['projectCategories']]
catcodes = [c['code'] for c in cats]
infra = [c for c in catcodes if c in ('INFRA','INFRA_ROAD','INFRA_WATER','INFRA_POWER','HOUSING','INTERNET','VILLAGE_ENV','CULTURE')]
smap = {
 'CN-FIN':('central','special',None),'CN-NDRC':('central','integrated',['RELOCATION']),'GX-FIN':('province','special',None),
 'NN-CITY-FIN':('city','special',None),'NN-COUNTY-FIN':('county','special',None),'NN-LINE-DEPT':('city','integrated',None),
 'NN-STOCK':('city','integrated',None),'NN-FISCAL-ALL':('city','special',None),'NN-RELOC-INV':('city','integrated',['RELOCATION']),
 'NN-DINGDIAN':('other','donation',None),'NN-INTRA-PAIR':('city','pairing',None),'NN-SOCIAL':('other','donation',None),
 'CREDIT':('other','microcredit',['FINANCE']),'SELF':('other','donation',None),'XY-CITY-FIN':('city','special',None),
 'XY-COUNTY-FIN':('county','special',None),'XY-PLATFORM':('city','integrated',None),'GD-PROV-FIN':('province','special',None),
 'FS-PAIR-FIN':('city','pairing',None),'ZJYF-LOCAL-FIN':('city','special',None),'FS-GUIDE':('city','pairing',None),'FS-UNIT':('other','pairing',None),
}
sources = []
for s in src['fundSources']:
    lvl, ch, perm = smap[s['code']]
    sources.append({"code":s['code'],"name":s['name_zh'],"level":lvl,"channel":ch,"permittedCategoryCodes":perm or catcodes})
sources.append({"code":"CN-WORK-RELIEF","name":"中央财政以工代赈资金","level":"central","channel":"work_relief","permittedCategoryCodes":infra})
sources.append({"code":"CN-ETHNIC","name":"中央财政少数民族发展资金","level":"central","channel":"ethnic","permittedCategoryCodes":catcodes})
purposes = [
 ("construction_works","工程款",False,None),("materials","材料款",False,None),("production_equipment","生产设备购置",False,None),
 ("household_subsidy","到户补助",False,None),("work_relief_wages","以工代赈劳务报酬",False,None),("training","培训费",False,None),
 ("interest_subsidy","贷款贴息",False,None),("supervision","工程监理费",False,None),("design","勘察设计费",False,None),
 ("insurance_premium","保险保费补助",False,None),("management_fee","项目管理费",False,"不超过县级当年扶贫资金的1%"),
 ("admin_basic_expenses","行政事业单位基本支出",True,"财农〔2017〕8号"),("vehicles_communication","交通工具及通讯设备",True,"财农〔2017〕8号"),
 ("staff_bonuses_allowances","各种奖金、津贴和福利补助",True,"财农〔2017〕8号"),("enterprise_losses","弥补企业亏损",True,"财农〔2017〕8号"),
 ("office_buildings_housing","修建楼堂馆所及职工住宅",True,"财农〔2017〕8号"),("budget_gaps_debt","弥补预算支出缺口和偿还债务",True,"财农〔2017〕8号"),
 ("large_capital_construction","大中型基本建设项目",True,"财农〔2017〕8号"),("urban_infrastructure","城市基础设施建设和城市扶贫",True,"财农〔2017〕8号"),
 ("unrelated_to_poverty","与脱贫攻坚无关的支出",True,"财农〔2017〕8号"),
]
purposes = [{"code":c,"name":n,"prohibited":p,"basis":b} for c,n,p,b in purposes]
catname = {c['code']: c['name'] for c in cats}
srcname = {s['code']: s['name'] for s in sources}
lines, allocs = [], []
def y(a): return f"{a}.00"
def add_line(key, year, source, code, doc, title, amount, received, dept):
    lines.append({"key":key,"year":year,"sourceCode":source,"jurisdictionCode":code,"documentNo":doc,"title":title,"amount":y(amount),"receivedOn":received,"holderDepartment":dept})
def add_alloc(key, parent, to, amount, doc, issued, received, title=None):
    a = {"key":key,"parentKey":parent,"toJurisdictionCode":to,"amount":y(amount),"documentNo":doc,"issuedOn":issued,"receivedOn":received}
    allocs.append(a)
name = {x['code']: x['name'] for x in J}
county_lines = [b for b in src['budgetLines'] if not b.get('is_period_total') and b['region'].startswith('NN-')]
# Provincial/central money reaches counties through the province and the city; county money is the county's own.
by = collections.defaultdict(list)
for b in county_lines:
    if b['source'] in ('CN-FIN','GX-FIN','NN-CITY-FIN') and b['region'] != 'NN':
        by[(b['year'], b['source'])].append(b)
n = 0
for (year, source), items in sorted(by.items()):
    total = sum(b['amount_yuan'] for b in items)
    city_key = f"BL-{source}-{year}-NN"
    if source in ('CN-FIN','GX-FIN'):
        prov_key = f"BL-{source}-{year}-GX"
        add_line(prov_key, year, source, '450000', f"桂财农〔{year}〕{10+(source=='GX-FIN')}号", f"{year}年{srcname[source]}", total + 20000000, f"{year}-02-20", '广西壮族自治区财政厅')
        add_alloc(f"AL-{source}-{year}-GX-NN", prov_key, '450100', total, f"桂财农〔{year}〕{30+(source=='GX-FIN')}号", f"{year}-03-01", f"{year}-03-05")
        city_parent = f"AL-{source}-{year}-GX-NN"
    else:
        add_line(city_key, year, source, '450100', f"南财农〔{year}〕5号", f"{year}年{srcname[source]}", total + 5000000, f"{year}-02-25", '南宁市财政局')
        city_parent = city_key
    for b in items:
        code = region_code[b['region']]
        n += 1
        add_alloc(f"AL-{b['id']}", city_parent, code, b['amount_yuan'], f"南财农〔{year}〕{40+n%50}号", f"{year}-03-15", f"{year}-03-20")
for b in county_lines:
    if b['source'] == 'NN-COUNTY-FIN':
        code = region_code[b['region']]
        add_line(b['id'], b['year'], 'NN-COUNTY-FIN', code, f"{name[code][:2]}财预〔{b['year']}〕{8 if b['category']=='INFRA_ROAD' else 9}号",
                 f"{b['year']}年{name[code]}本级专项扶贫资金（{catname[b['category']]}）", b['amount_yuan'], f"{b['year']}-03-10", f"{name[code]}财政局")
    elif b['region'] == 'NN':
        add_line(b['id'], b['year'], b['source'], '450100', f"南财农〔{b['year']}〕6号", f"{b['year']}年南宁市本级扶贫工作经费（{catname[b['category']]}）", b['amount_yuan'], f"{b['year']}-02-25", '南宁市财政局')
# Mashan passes part of its 2016 industry money to a township, which passes some to a village (chain city → county → township → village)
add_alloc('AL-MS-2016-GULING', 'AL-BL-NN-MS-2016-CN-FIN-INDUSTRY', '450124101', 2000000, '马财农〔2016〕21号', '2016-04-10', '2016-04-12')
add_alloc('AL-MS-2016-GULING-V1', 'AL-MS-2016-GULING', '450124101001', 500000, '古零镇〔2016〕3号', '2016-04-20', '2016-04-20')
# Xinyang (seed 002)
for b in src['budgetLines']:
    if b['region'] == 'XY':
        add_line(b['id'], b['year'], 'XY-CITY-FIN', '411500', f"信财农〔{b['year']}〕15号", f"{b['year']}年信阳市财政专项扶贫资金", b['amount_yuan'], f"{b['year']}-03-01", '信阳市财政局')
for a in src['allocations']:
    if a['budget_line'].startswith('BL-XY'):
        add_alloc(a['id'], a['budget_line'], region_code[a['to_region']], a['amount_yuan'], '信财农〔2016〕22号', a['date'], a['date'])
# Foshan pairing (seed 004): guiding fund, ≥ 1,000,000 yuan per paired village in 2016
for b in src['budgetLines']:
    if b['region'] == 'GD-FS-PAIRED':
        add_line(b['id'], b['year'], 'FS-GUIDE', '440600', f"佛财农〔{b['year']}〕{10+b['year']-2016}号", f"{b['year']}年佛山市对口帮扶补助引导专项资金", b['amount_yuan'], f"{b['year']}-10-20", '佛山市财政局')
for a in src['allocations']:
    if a['budget_line'].startswith('BL-FS'):
        add_alloc(a['id'], a['budget_line'], region_code[a['to_region']], a['amount_yuan'], '佛财农〔2016〕18号', a['date'], '2016-11-08')
# 6:3:1 (seed 004): 88,797 people × 20,000 yuan, shared province : Foshan : Zhanjiang/Yunfu
people = 88797; total = people * 20000
assert total == 1775940000 and total*6//10 == 1065564000 and total*3//10 == 532782000 and total//10 == 177594000
add_line('BL-GD-2016-PAIR-PROV', 2016, 'GD-PROV-FIN', '440000', '粤财农〔2016〕300号', '2016—2018年对口帮扶湛江、云浮省级财政投入（6/10，三年合计）', total*6//10, '2016-10-15', '广东省财政厅')
add_line('BL-FS-2016-PAIR-CITY', 2016, 'FS-PAIR-FIN', '440600', '佛发〔2016〕10号', '2016—2018年佛山市对口帮扶财政投入（3/10，人均6000元，三年合计）', total*3//10, '2016-10-20', '佛山市财政局')
add_alloc('AL-FS-2016-PAIR-SUIXI', 'BL-FS-2016-PAIR-CITY', '440823', 60000000, '佛财农〔2016〕25号', '2016-11-01', '2016-11-10')
add_alloc('AL-FS-2016-PAIR-XINXING', 'BL-FS-2016-PAIR-CITY', '445321', 45000000, '佛财农〔2016〕26号', '2016-11-01', '2016-11-10')
out = {"jurisdictions": J, "pairings": pairings, "projectCategories": cats, "fundSources": sources, "paymentPurposes": purposes, "budgetLines": lines, "allocations": allocs}
json.dump(out, open('/tmp/gen/demo-dataset.json','w'), ensure_ascii=False, indent=1)
print(len(J), len(sources), len(lines), len(allocs))
