/// The report's style and scripts, inline in every page (no network, works from `file://`).
enum ReportAssets {
    static let style = """
        body{font-family:"DejaVu Sans",Verdana,sans-serif;margin:24px;color:#222;max-width:1240px}
        h1{font-size:22px}table{border-collapse:collapse;margin:16px 0}
        th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left;vertical-align:middle}
        th{background:#f3f3f3}table.sortable th{cursor:pointer;user-select:none}
        th.ascending::after{content:" ▲"}th.descending::after{content:" ▼"}
        .bar{display:flex;width:200px;height:14px;background:#eee}.bar span{display:block;height:100%}
        .swatch{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:middle}
        video{width:640px;max-width:100%;background:#000;display:block}
        #chart svg{width:100%;height:auto;cursor:crosshair;display:block}.missing{color:#a00}
        """

    /// Sorts a table by the clicked column: numbers by value, text alphabetically, by each cell's data-sort.
    static let sortScript = """
        document.querySelectorAll("table.sortable").forEach(function(table){
          table.querySelectorAll("th").forEach(function(header,column){
            header.addEventListener("click",function(){
              var ascending=!header.classList.contains("ascending");
              table.querySelectorAll("th").forEach(function(h){h.classList.remove("ascending","descending");});
              header.classList.add(ascending?"ascending":"descending");
              var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
              function key(row){var cell=row.cells[column];var v=cell.getAttribute("data-sort");if(v===null)v=cell.textContent;var n=parseFloat(v);return isNaN(n)||String(n)!==v.trim()&&!/^[-0-9.e]+$/i.test(v.trim())?v.toLowerCase():n;}
              rows.sort(function(a,b){var x=key(a),y=key(b);var r=x<y?-1:x>y?1:0;return ascending?r:-r;});
              rows.forEach(function(row){body.appendChild(row);});
            });
          });
        });
        """

    /// A playhead on the chart follows the video; a click on the chart seeks the video there. The chart's
    /// time span and plot area are in its data- attributes, in SVG units.
    static let playheadScript = """
        (function(){
          var svg=document.querySelector("#chart svg"),video=document.getElementById("player");
          if(!svg)return;
          var start=parseFloat(svg.dataset.start),span=parseFloat(svg.dataset.span);
          var left=parseFloat(svg.dataset.plotLeft),width=parseFloat(svg.dataset.plotWidth);
          var line=document.createElementNS("http://www.w3.org/2000/svg","line");
          line.setAttribute("id","playhead");line.setAttribute("y1","40");line.setAttribute("y2","356");
          line.setAttribute("stroke","#000");line.setAttribute("stroke-width","2");
          svg.appendChild(line);
          function place(time){
            var x=left+(span>0?Math.min(Math.max((time-start)/span,0),1):0)*width;
            line.setAttribute("x1",x.toFixed(1));line.setAttribute("x2",x.toFixed(1));
          }
          place(start);
          if(!video)return;
          function follow(){place(video.currentTime);if(!video.paused)requestAnimationFrame(follow);}
          video.addEventListener("timeupdate",follow);video.addEventListener("seeked",follow);video.addEventListener("play",follow);
          svg.addEventListener("click",function(event){
            var point=svg.createSVGPoint();point.x=event.clientX;point.y=event.clientY;
            var x=point.matrixTransform(svg.getScreenCTM().inverse()).x;
            var time=start+Math.min(Math.max((x-left)/width,0),1)*span;
            video.currentTime=time;place(time);
          });
        })();
        """
}
