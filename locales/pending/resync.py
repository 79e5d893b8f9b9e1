# Kept with the pending drafts: run from the repo root after issue 17 is merged.
# Replaces texts whose Swedish source changed in meaning (issue 17) and adds the staffed
# hours to person_unavailable. Run from the repo root after merging main.
import re, sys
R = {
'ar': dict(
 privacy="trygg لا يحفظ ما تكتبه. أتذكر لغتك وعمرك وأين وصلنا لمدة {{.ConversationKept}}. رسائلك تبقى في هاتفك حتى تحذفها. ما تكتبه مع موظف يُحفظ في Slack. اكتب: احذف، فأحذف ما لدي. في خطر؟ اتصل على 112.",
 handoff_offer="يوجد موظفون الآن. إن كتبت نعم، يقرأ {{.HandoffReaders}} ما تكتبه ويرد هنا، ربما بالسويدية أو الإنجليزية. يجب أن يتدخل إن كان طفل يتأذى، ويحفظ ما تكتبانه. للإيقاف: توقف. خطر؟ اتصل على 112.",
 unsafe_place="شكرا. كل أسبوع تراجع المدينة والشرطة وMimer أين يشعر الناس بعدم الأمان. هذا ليس بلاغا. نحفظ المكان والوقت والنوع {{.LagesbildKept}}، لا كلماتك ولا هويتك. للبلاغ: 114 14. يحدث الآن؟ اتصل على 112.",
 staffed=" الموظفون هنا {{.StaffedHours}}.",
),
'fa': dict(
 privacy="trygg نوشته‌های شما را ذخیره نمیکند. زبان، سن و جای گفتگو را {{.ConversationKept}} به یاد دارم. پیامها در گوشی شما میماند تا پاکشان کنید. گفتگو با کارمند در Slack میماند. بنویسید: پاک کن. خطر؟ تماس با 112.",
 handoff_offer="الان کارمند هست. اگر بنویسید بله، {{.HandoffReaders}} نوشته‌هایتان را میخواند و اینجا جواب میدهد، شاید به سوئدی یا انگلیسی. اگر کودکی آسیب ببیند باید اقدام کند و نوشته‌ها را نگه میدارد. توقف: توقف. خطر؟ تماس با 112.",
 unsafe_place="ممنون. هر هفته شهر، پلیس و Mimer بررسی میکنند مردم کجا احساس ناامنی میکنند. این گزارش پلیس نیست. مکان، زمان و نوع را {{.LagesbildKept}} نگه میداریم، نه حرف و هویت شما را. گزارش: 114 14. خطر؟ تماس با 112.",
 staffed=" کارمندان {{.StaffedHours}} اینجا هستند.",
),
'so': dict(
 privacy="trygg ma kaydiyo waxaad qorto. Waxaan xasuustaa luuqaddaada, da'daada iyo halka aan marayno {{.ConversationKept}}. Fariimahaagu taleefankaaga ayay ku jiraan ilaa aad tirtirto. Haddii aad la hadasho shaqaalaha, waxaad qortaan waxaa lagu hayaa Slack. Qor TIRTIR waxaan tirtiraa waxaan hayo. Khatar? Wac 112.",
 handoff_offer="Shaqaale ayaa hadda jooga. Haddii aad jawaabto HAA, {{.HandoffReaders}} ayaa akhrin doona waxaad qorto oo halkan kaaga jawaabi doona, malaha af iswiidhish ama ingiriisi. Waa inay tallaabo qaadaan haddii ilmo la dhibayo, waxayna hayaan waxaad qortaan. Qor JOOJI si aad u joojiso. Khatar? Wac 112.",
 unsafe_place="Waad ku mahadsan tahay. Toddobaad kasta magaalada, booliska iyo Mimer waxay eegaan halka dadku dareemaan ammaan darro. Tani ma aha warbixin booliis. Meesha, waqtiga iyo nooca waxaa la hayaa {{.LagesbildKept}}, erayadaada iyo cidda aad tahay ma aha. Booliska: 114 14. Hadda ma dhacayaa? Wac 112.",
 staffed=" Shaqaaluhu waa joogaan {{.StaffedHours}}.",
),
'ti': dict(
 privacy="trygg ዝጸሓፍኩሞ ኣይዕቅብን። ቋንቋኹም፣ ዕድመኹምን ኣበይ ከም ዘለናን {{.ConversationKept}} እዝክር። መልእኽትኹም ክሳብ እትድምስስዎ ኣብ ተሌፎንኩም ይጸንሕ። ምስ ሰራሕተኛ ዝተጻሕፈ ኣብ Slack ይዕቀብ። ደምስስ ጽሓፉ። ሓደጋ? ናብ 112 ደውሉ።",
 handoff_offer="ሕጂ ሰራሕተኛ ኣሎ። እወ እንተ ጽሒፍኩም፣ {{.HandoffReaders}} ዝጸሓፍኩሞ ኣንቢቡ ኣብዚ ይምልስ፣ ምናልባት ብሽወደንኛ ወይ ብእንግሊዝኛ። ቆልዓ እንተ ተጎዲኡ ስጉምቲ ክወስድ ኣለዎ፣ ዝጸሓፍኩሞ ድማ ይዕቅብ። ንምቁራጽ: ኣቋርጽ። ሓደጋ? ናብ 112 ደውሉ።",
 unsafe_place="የቐንየልና። ሰሙን ሰሙን ከተማ፣ ፖሊስን Mimerን ሰባት ኣበይ ከም ዘይውሕሶም ይርእዩ። እዚ ምሕባር ፖሊስ ኣይኮነን። ቦታ፣ ግዜን ዓይነትን {{.LagesbildKept}} ይዕቀብ፣ ቃላትኩምን መንነትኩምን ኣይኮነን። ምሕባር: 114 14። ሓደጋ? ናብ 112 ደውሉ።",
 staffed=" ሰራሕተኛታት {{.StaffedHours}} ኣለዉ።",
),
}
import json
for lang, r in R.items():
    p = f'locales/{lang}.yaml'
    s = open(p).read()
    for k in ('privacy', 'handoff_offer', 'unsafe_place'):
        s, n = re.subn(r'(?m)^' + k + r': .*$', k + ': ' + json.dumps(r[k], ensure_ascii=False), s)
        assert n == 1, (lang, k)
    for k in ('person_unavailable', 'person_unavailable_youth', 'person_unavailable_adult'):
        m = re.search(r'(?m)^' + k + r': "([^"]*)"$', s)
        t = m.group(1)
        end = re.search(r'[.።]', t).end()
        t = t[:end] + '{{if .StaffedHours}}' + r['staffed'] + '{{end}}' + t[end:]
        s = s[:m.start()] + k + ': ' + json.dumps(t, ensure_ascii=False) + s[m.end():]
    open(p, 'w').write(s)
    print(lang, 'ok')
